"""The import rules of mock_server/ (README, Architecture), read from the source: no circle, nothing that runs
back up a layer, and the state of each API apart from HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mock_server"
# What every API and the control API build on: they import nothing of mock_server but each other.
FOUNDATION = {"spec", "store", "clock", "record", "rows", "errors", "jsonbody", "limits", "digests"}
SUBPACKAGES = ("leasey", "travtus", "sandbox")
# Where a subpackage meets HTTP; the rest of it (models, rules, tables) never imports Flask or Werkzeug.
HTTP_MODULES = {"handlers", "errors", "origin"}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The modules `path` imports when it runs, at its top or in a function (not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text())
    here = _name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    skipped = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
               and getattr(block.test, "id", None) == "TYPE_CHECKING" for node in ast.walk(block)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[:len(package) - node.level + 1], *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    modules = {_name(p) for p in PACKAGE.rglob("*.py")}
    ancestors = {".".join(here[:n]) for n in range(1, len(here) + 1)}  # (run before any module inside them)
    return {name for name in found if name in modules and name not in ancestors}


def _graph() -> dict[str, set[str]]:
    return {_name(path): _imports(path) for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts}


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and parts[1] in SUBPACKAGES):
        return parts[1]
    if module == "mock_server.fixtures":  # loads every API's fixtures (mock_server.<api>.fixtures, by name)
        return "fixtures"
    return "foundation" if len(parts) == 2 and parts[1] in FOUNDATION else "top"


def test_no_module_imports_itself_through_others():
    graph, cycles = _graph(), []

    def visit(module, trail):
        if module in trail:
            cycles.append(trail[trail.index(module):] + [module])
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*trail, module])
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        visit(module, [])
    assert cycles == [], "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_no_import_runs_back_up_a_layer():
    # foundation <- leasey, travtus <- the fixture loader <- sandbox (it resets and makes tenants of both) <- the
    # rest: the factory, the mounted API and its responses, the pipeline, the site, the worker, the CLI
    allowed = {"foundation": {"foundation"}, "leasey": {"foundation", "leasey"},
               "travtus": {"foundation", "travtus"}, "fixtures": {"foundation", "leasey", "travtus"},
               "sandbox": {"foundation", "leasey", "travtus", "fixtures", "sandbox"}}
    upward = sorted(f"{module} -> {target}" for module, targets in _graph().items() for target in targets
                    if _layer(module) in allowed and _layer(target) not in allowed[_layer(module)])
    assert upward == [], "\n".join(upward)


def test_the_state_of_each_api_never_imports_flask():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        name = _name(path).split(".")
        if len(name) == 3 and name[1] in SUBPACKAGES and name[2] not in HTTP_MODULES:
            tree = ast.parse(path.read_text())
            roots = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names}
            roots |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                      if isinstance(node, ast.ImportFrom) and not node.level}
            offenders += [f"{'.'.join(name)} imports {root}" for root in roots & {"flask", "werkzeug"}]
    assert offenders == []


def test_the_request_path_never_names_an_api():
    """The pipeline and the mounted-API layer treat every API alike: what differs lives in mock_server/<api>/."""
    names = {"leasey", "travtus"}
    named = []
    for module in ("pipeline", "api", "responses", "selfcheck"):
        tree = ast.parse((PACKAGE / f"{module}.py").read_text())
        named += [f"{module}.py:{node.lineno} {node.value!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and (node.value in names or node.value.split("-")[0] in names)]
        named += [f"{module}.py:{node.lineno} .{node.attr}" for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and node.attr in names]
    assert named == []
