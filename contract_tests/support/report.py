"""The drift report: per operation and per documented behaviour, passed / failed / skipped, and for each
failure the request (credentials removed), the expected and the observed response, and the section of the
document it breaks. Written as Markdown and HTML beside the JUnit XML."""

from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SECRET_HEADERS = {"authorization", "x-company-password"}
SECRET_FIELDS = ("password", "token", "client_secret", "access_token")
FILTERED = "[Filtered]"


def scrub(text: str, secrets: set[str]) -> str:
    """Remove credential values from any text (request lines, bodies, assertion messages)."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, FILTERED)
    text = re.sub(r'("(?:' + "|".join(SECRET_FIELDS) + r')"\s*:\s*)"[^"]*"', r'\1"' + FILTERED + '"', text)
    text = re.sub(r"((?:" + "|".join(SECRET_FIELDS) + r")=)[^&\s']+", r"\1" + FILTERED, text)
    return text


@dataclass
class Outcome:
    nodeid: str
    outcome: str  # passed | failed | skipped
    section: str
    detail: str = ""
    exchange: dict | None = None
    waits_for: tuple[str, ...] = ()  # the optional variables whose absence skipped it


@dataclass
class AcceptedWrite:
    """A write the documents say is refused that the target answered 2xx: what it may have created or changed."""

    nodeid: str
    method: str
    url: str
    status: int
    effect: str


@dataclass
class DriftReport:
    target: str
    seed: int
    secrets: set[str] = field(default_factory=set)
    outcomes: list[Outcome] = field(default_factory=list)
    accepted: list[AcceptedWrite] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # optional variable -> what it holds

    def accepted_write(self, nodeid: str, observation) -> None:
        self.accepted.append(AcceptedWrite(nodeid, observation.method, scrub(observation.url, self.secrets),
                                           observation.status, _effect(observation)))

    def unchecked(self) -> dict[str, list[str]]:
        """Optional variable -> the scenarios its absence left unchecked."""
        left: dict[str, list[str]] = defaultdict(list)
        for o in self.outcomes:
            for name in o.waits_for:
                left[name].append(o.nodeid)
        return dict(sorted(left.items()))

    def add(self, outcome: Outcome) -> None:
        outcome.detail = scrub(outcome.detail, self.secrets)
        if outcome.exchange:
            outcome.exchange = json.loads(scrub(json.dumps(outcome.exchange), self.secrets))
        self.outcomes.append(outcome)

    def _per_operation(self, seen: dict) -> list[tuple[str, str]]:
        rows = []
        for api, exchanges in sorted(seen.items()):
            by_operation = defaultdict(Counter)
            for method, path, status in exchanges:
                if path:
                    by_operation[f"{method} {path}"][status] += 1
            for operation, statuses in sorted(by_operation.items()):
                rows.append((f"{api}: {operation}", ", ".join(f"{s}×{n}" for s, n in sorted(statuses.items()))))
        return rows

    def markdown(self, seen: dict) -> str:
        counts = Counter(o.outcome for o in self.outcomes)
        lines = [f"# Contract drift report — {self.target}", "",
                 f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped "
                 f"(seed {self.seed}).", "", "## Per documented behaviour", "",
                 "| result | behaviour | section |", "|---|---|---|"]
        for o in self.outcomes:
            mark = {"passed": "✅ passed", "failed": "❌ failed", "skipped": "⏭ skipped"}[o.outcome]
            lines.append(f"| {mark} | `{o.nodeid}` | {o.section} |")
        lines += ["", "## Per operation (statuses observed)", "", "| operation | statuses |", "|---|---|"]
        lines += [f"| {op} | {statuses} |" for op, statuses in self._per_operation(seen)]
        failures = [o for o in self.outcomes if o.outcome == "failed"]
        if failures:
            lines += ["", "## Failures", ""]
        for o in failures:
            lines += [f"### {o.nodeid}", "", f"Breaks: {o.section}", ""]
            if o.exchange:
                lines += ["Last exchange:", "", "```", json.dumps(o.exchange, indent=2)[:4000], "```", ""]
            lines += ["Expected vs observed:", "", "```", o.detail[:6000], "```", ""]
        if self.accepted:
            lines += ["", "## Refused writes the target accepted", "",
                      "Each of these writes should have been refused (the documents say so); the target answered "
                      "2xx, so it may have created or changed data. Look for listings named `contract-test …`.", ""]
            lines += [f"- `{w.nodeid}`: {w.method} {w.url} → {w.status}: {w.effect}" for w in self.accepted]
        unchecked = self.unchecked()
        if unchecked:
            lines += ["", "## Left unchecked for want of a variable", ""]
            for name, nodeids in unchecked.items():
                lines.append(f"- `{name}` ({self.variables.get(name, '')}): {len(nodeids)} scenario(s)")
                lines += [f"  - `{nodeid}`" for nodeid in nodeids]
        skipped = [o for o in self.outcomes if o.outcome == "skipped"]
        if skipped:
            lines += ["", "## Skipped", ""] + [f"- `{o.nodeid}`: {o.detail}" for o in skipped]
        return "\n".join(lines) + "\n"

    def html(self, seen: dict) -> str:
        counts = Counter(o.outcome for o in self.outcomes)
        colour = {"passed": "#1a7f37", "failed": "#cf222e", "skipped": "#9a6700"}
        rows = "".join(
            f"<tr><td style='color:{colour[o.outcome]};font-weight:600'>{o.outcome}</td>"
            f"<td><code>{html.escape(o.nodeid)}</code></td><td>{html.escape(o.section)}</td></tr>"
            for o in self.outcomes)
        operations = "".join(f"<tr><td>{html.escape(op)}</td><td>{html.escape(st)}</td></tr>"
                             for op, st in self._per_operation(seen))
        failures = "".join(
            f"<details open><summary><b>{html.escape(o.nodeid)}</b> — {html.escape(o.section)}</summary>"
            + (f"<h4>Last exchange</h4><pre>{html.escape(json.dumps(o.exchange, indent=2)[:4000])}</pre>"
               if o.exchange else "")
            + f"<h4>Expected vs observed</h4><pre>{html.escape(o.detail[:6000])}</pre></details>"
            for o in self.outcomes if o.outcome == "failed")
        accepted = "".join(f"<li><code>{html.escape(w.nodeid)}</code>: {html.escape(w.method)} "
                           f"{html.escape(w.url)} → {w.status}: {html.escape(w.effect)}</li>" for w in self.accepted)
        unchecked = "".join(
            f"<li><code>{html.escape(name)}</code> ({html.escape(self.variables.get(name, ''))}): "
            + ", ".join(f"<code>{html.escape(n)}</code>" for n in nodeids) + "</li>"
            for name, nodeids in self.unchecked().items())
        return f"""<!doctype html><html><head><meta charset="utf-8"><title>Contract drift report</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px}}table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}}pre{{background:#f6f8fa;
padding:1rem;overflow:auto}}.sum span{{margin-right:1.5rem;font-size:1.2rem}}</style></head><body>
<h1>Contract drift report</h1><p>Target: <code>{html.escape(self.target)}</code> · seed {self.seed}</p>
<p class="sum"><span style="color:#1a7f37">{counts['passed']} passed</span>
<span style="color:#cf222e">{counts['failed']} failed</span>
<span style="color:#9a6700">{counts['skipped']} skipped</span></p>
<h2>Failures</h2>{failures or "<p>None.</p>"}
{f"<h2>Refused writes the target accepted</h2><p>Each may have created or changed data (listings named "
   f"<code>contract-test …</code>).</p><ul>{accepted}</ul>" if accepted else ""}
{f"<h2>Left unchecked for want of a variable</h2><ul>{unchecked}</ul>" if unchecked else ""}
<h2>Per documented behaviour</h2><table><tr><th>result</th><th>behaviour</th><th>section</th></tr>{rows}</table>
<h2>Per operation (statuses observed)</h2><table><tr><th>operation</th><th>statuses</th></tr>{operations}</table>
</body></html>"""

    def write(self, directory: Path, seen: dict) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        md, page = directory / "contract-report.md", directory / "contract-report.html"
        md.write_text(self.markdown(seen))
        page.write_text(self.html(seen))
        return md, page


def _effect(observation) -> str:
    """What a 2xx answer to a write says it did, from its body (`property_id`, `url_slug`) and the request's name."""
    exchange = observation.exchange or {}
    try:
        answer = json.loads(exchange.get("response", {}).get("body") or "null")
    except ValueError:
        answer = None
    try:
        sent = json.loads(exchange.get("request", {}).get("body") or "null")
    except ValueError:
        sent = None
    name = sent.get("property", {}).get("name") if isinstance(sent, dict) and isinstance(sent.get("property"), dict) \
        else None
    ids = {k: answer[k] for k in ("property_id", "url_slug") if isinstance(answer, dict) and k in answer}
    verb = "may have created" if observation.method == "POST" else "may have changed"
    what = ", ".join(f"{k} {v}" for k, v in ids.items()) or "an unknown record"
    return f"{verb} {what}" + (f" (name {name!r})" if name else "")
