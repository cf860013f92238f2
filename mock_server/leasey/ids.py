"""The ids of a Leasey company's fixture-shaped rows: one block of ID_BLOCK ids per company and kind of row.

Company c's block of a kind starts at BASES[kind] + c × ID_BLOCK, far below the ids the API hands out for new
records (max + 1) and those `fixtures generate` takes (above 10⁹), so one company can be deleted and loaded again
without touching another. Within a block the generated portfolio takes ids from the start, a tenant's fixed rows
(its users, team members and building) from FIXED, the document's dated rows the last ones, from DATED.
"""

from __future__ import annotations

ID_BLOCK = 10_000
BASES = {
    "properties": 1_000_000,
    "units": 2_000_000,  # properties.unit_id
    "persons": 3_000_000,  # the persons of leads
    "leads": 4_000_000,
    "applications": 5_000_000,  # one per lead, at the lead's place in its block
    "user_persons": 5_000_000,  # users.person_id and team_members.person_id (another table than applications)
    "users": 6_000_000,
    "showings": 7_000_000,
    "buildings": 8_000_000,
    "team_members": 9_000_000,
}
FIXED = 9_000
DATED = 9_900
HIGHEST = max(BASES.values())


def block(company_id: int, kind: str, start: int = 0) -> range:
    """The ids of `kind` company `company_id` owns, from `start` within its block."""
    first = BASES[kind] + company_id * ID_BLOCK
    return range(first + start, first + ID_BLOCK)


def fits(company_id: int) -> bool:
    """Whether every block of the company is inside the 32-bit ids the spec allows."""
    return HIGHEST + (company_id + 1) * ID_BLOCK <= 2**31 - 1


def application_of(lead_id: int) -> int:
    """A fixture lead's application: the same place in the company's applications block."""
    return lead_id - BASES["leads"] + BASES["applications"]
