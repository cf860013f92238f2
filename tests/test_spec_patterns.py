"""Schema patterns mean what JSON Schema says (ECMA-262), and the Leasey date-bound pattern (openapi/leasey.yaml
StartDate, EndDate) admits exactly the strings the server parses: every real day of years 0001-9999, alone or with
a time, and nothing else (FIDELITY.md, Leasey 6)."""

from __future__ import annotations

from datetime import date

import jsonschema_rs

from contract_tests.support.conformance import load_spec
from mock_server.spec import RequestValidator, ecma_pattern

SPEC = load_spec("leasey")["components"]["parameters"]
PATTERN = ecma_pattern(SPEC["StartDate"]["schema"]["pattern"])


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def test_start_and_end_share_one_pattern():
    assert SPEC["EndDate"]["schema"]["pattern"] == SPEC["StartDate"]["schema"]["pattern"]


def test_the_pattern_admits_a_day_exactly_when_it_is_a_calendar_day():
    """Every month 00-13 and day 00-32 of the years where the calendar's rules change (and a spread of others)."""
    years = {0, 1, 4, 99, 100, 400, 1582, 1900, 2000, 2023, 2024, 2100, 2400, 9996, 9999, *range(3, 10000, 97)}
    wrong = [text for year in sorted(years) for month in range(14) for day in range(33)
             if bool(PATTERN.search(text := f"{year:04d}-{month:02d}-{day:02d}")) != _is_day(text)]
    assert wrong == []


def test_a_time_is_hours_00_to_23_minutes_and_seconds_00_to_59_in_ascii_digits():
    assert PATTERN.search("2024-02-29T23:59:59") and PATTERN.search("2024-02-29T00:00:00")
    refused = ["2024-02-29T24:00:00", "2024-02-29T23:60:00", "2024-02-29T23:59:60", "2024-02-29T23:59",
               "2024-02-29 10:00:00", "2024-02-29T10:00:00Z", "2024-02-29T10:00:00.5", "٢٠٢٤-02-29", "2024-0２-29",
               "2024-02-29\n", "+2024-02-29", "20240229"]
    assert [text for text in refused if PATTERN.search(text)] == []


def test_patterns_are_read_as_ecma_262_as_jsonschema_rs_reads_them():
    """\\d is ASCII digits and $ the end of the text: Python's re alone read '١٢٣' and '123\\n' as '^\\d+$'."""
    cases = [(r"^\d+$", "123"), (r"^\d+$", "١٢٣"), (r"^\d+$", "１２３"), (r"^\d+$", "123\n"), (r"^a[$]$", "a$"),
             (r"^a\$$", "a$"), (r"^\w+$", "é"), (r"^\+\d{1,4}$", "+1"), (r"^https://", "https://x\n")]
    ours = [RequestValidator({"type": "string", "pattern": p}).is_valid(text) for p, text in cases]
    theirs = [jsonschema_rs.validator_for({"type": "string", "pattern": p}).is_valid(text) for p, text in cases]
    assert ours == theirs == [True, False, False, False, True, True, False, True, True]
