"""The fidelity report: a per-operation table, the score (exchanges that match / exchanges compared), every
difference with its exchange, and the known ones with their reasons; as Markdown, HTML and JUnit XML, like the
contract report (contract_tests/support/report.py)."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .compare import Difference, Result

SIDES = ("stage", "sandbox")  # the recorded answer's side, the replayed one's


@dataclass
class Summary:
    compared: int
    matching: int  # exchanges without any difference
    known: int  # exchanges whose differences are all allow-listed
    differing: int  # exchanges with a difference not allow-listed

    @property
    def score(self) -> float:
        return self.matching / self.compared if self.compared else 1.0


def summarise(results: list[Result]) -> Summary:
    matching = sum(not r.differences for r in results)
    known = sum(bool(r.differences) and all(d.allowed for d in r.differences) for r in results)
    return Summary(len(results), matching, known, len(results) - matching - known)


def per_operation(results: list[Result]) -> list[tuple[str, int, int, int, str]]:
    """(operation, exchanges, matching, differing, kinds of difference)."""
    rows: dict[str, list] = defaultdict(lambda: [0, 0, 0, set()])
    for result in results:
        row = rows[f"{result.exchange.api}: {result.exchange.operation or result.exchange.request.path}"]
        row[0] += 1
        if result.differences:
            row[2] += 1
            row[3].update(d.kind for d in result.differences)
        else:
            row[1] += 1
    return [(name, n, ok, bad, ", ".join(sorted(kinds))) for name, (n, ok, bad, kinds) in sorted(rows.items())]


def table(results: list[Result]) -> str:
    """The per-operation table and the score, as printed on the terminal."""
    summary = summarise(results)
    rows = per_operation(results)
    width = max([len("operation"), *(len(r[0]) for r in rows)])
    lines = [f"{'operation':<{width}}  exchanges  match  differ  kinds"]
    lines += [f"{name:<{width}}  {n:>9}  {ok:>5}  {bad:>6}  {kinds}" for name, n, ok, bad, kinds in rows]
    lines.append(f"fidelity {summary.score:.1%}: {summary.matching} of {summary.compared} exchanges match; "
                 f"{summary.differing} differ, {summary.known} only in known ways")
    return "\n".join(lines)


def _exchange_text(result: Result) -> str:
    request = result.exchange.request
    query = "&".join(f"{k}={v}" for k, v in request.query)
    return f"{request.method} {request.path}{'?' + query if query else ''}"


def markdown(results: list[Result], cassette: str, target: str, sides: tuple[str, str] = SIDES) -> str:
    summary = summarise(results)
    lines = [f"# Fidelity report — {cassette} against {target}", "",
             f"**Fidelity {summary.score:.1%}**: {summary.matching} of {summary.compared} exchanges match; "
             f"{summary.differing} differ, {summary.known} differ only in known (allow-listed) ways.", "",
             "## Per operation", "", "| operation | exchanges | match | differ | kinds |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {n} | {ok} | {bad} | {kinds} |" for name, n, ok, bad, kinds in per_operation(results)]
    for title, pick in (("Differences", lambda d: not d.allowed), ("Known differences (allow-listed)",
                                                                    lambda d: d.allowed)):
        chosen = [(r, [d for d in r.differences if pick(d)]) for r in results]
        chosen = [(r, ds) for r, ds in chosen if ds]
        if not chosen:
            continue
        lines += ["", f"## {title}", ""]
        for result, differences in chosen:
            lines += [f"### #{result.exchange.index} {result.exchange.operation} — `{_exchange_text(result)}`", ""]
            for d in differences:
                expected, observed = d.shown(400)
                lines.append(f"- **{d.kind}** `{d.where}`: {sides[0]} {_code(expected)}, {sides[1]} {_code(observed)}"
                             + (f" — known: {d.allowed}" if d.allowed else ""))
            lines.append("")
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """A Markdown code span that keeps every character told apart: a fence longer than any run of backticks in the
    text, a line break shown as ↵ (Markdown would make it a space)."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return fence + pad + text.replace("\n", "↵") + pad + fence


def html_page(results: list[Result], cassette: str, target: str, sides: tuple[str, str] = SIDES) -> str:
    summary = summarise(results)
    operations = "".join(f"<tr><td>{html.escape(name)}</td><td>{n}</td><td>{ok}</td><td>{bad}</td>"
                         f"<td>{html.escape(kinds)}</td></tr>" for name, n, ok, bad, kinds in per_operation(results))

    def rows(differences: list[Difference]) -> str:
        return "".join(f"<tr><td>{html.escape(d.kind)}</td><td><code>{html.escape(d.where)}</code></td>"
                       + "".join(f"<td><code>{html.escape(side)}</code></td>" for side in d.shown(400))
                       + f"<td>{html.escape(d.allowed or '')}</td></tr>" for d in differences)

    details = "".join(
        f"<details open><summary><b>#{r.exchange.index} {html.escape(r.exchange.operation or '')}</b> "
        f"<code>{html.escape(_exchange_text(r))}</code></summary><table><tr><th>kind</th><th>where</th>"
        f"<th>{sides[0]}</th><th>{sides[1]}</th><th>known because</th></tr>{rows(r.differences)}</table></details>"
        for r in results if r.differences)
    colour = "#1a7f37" if summary.differing == 0 else "#cf222e"
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Fidelity report</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px}}table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}}code{{white-space:pre-wrap}}
</style></head><body><h1>Fidelity report</h1><p>Cassette <code>{html.escape(cassette)}</code> against
<code>{html.escape(target)}</code></p><p style="font-size:1.3rem;color:{colour}"><b>Fidelity {summary.score:.1%}</b>:
{summary.matching} of {summary.compared} exchanges match; {summary.differing} differ, {summary.known} only in known
ways.</p><h2>Per operation</h2><table><tr><th>operation</th><th>exchanges</th><th>match</th><th>differ</th>
<th>kinds</th></tr>{operations}</table><h2>Differences</h2>{details or "<p>None.</p>"}</body></html>"""


def junit(results: list[Result], sides: tuple[str, str] = SIDES) -> str:
    summary = summarise(results)
    suite = ET.Element("testsuite", name="fidelity", tests=str(summary.compared), failures=str(summary.differing))
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=f"fidelity.{result.exchange.api}.{result.exchange.operation}",
                             name=f"#{result.exchange.index} {_exchange_text(result)}")
        unknown = [d for d in result.differences if not d.allowed]
        if unknown:
            failure = ET.SubElement(case, "failure", message=unknown[0].text(sides)[:500])
            failure.text = "\n".join(d.text(sides) for d in unknown)
        known = [d for d in result.differences if d.allowed]
        if known:
            ET.SubElement(case, "system-out").text = "\n".join(f"known ({d.allowed}): {d.text(sides)}" for d in known)
    return ET.tostring(suite, encoding="unicode")


def write(results: list[Result], directory: Path, cassette: str, target: str, sides: tuple[str, str] = SIDES) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "fidelity-report.md", directory / "fidelity-report.html", directory / "fidelity-junit.xml"]
    paths[0].write_text(markdown(results, cassette, target, sides))
    paths[1].write_text(html_page(results, cassette, target, sides))
    paths[2].write_text(junit(results, sides))
    return paths
