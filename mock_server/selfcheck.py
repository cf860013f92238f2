"""The self-check: every answer validated against its operation's response schema; a violation is logged and
flagged in the X-Sandbox-Spec-Violation header (settings.self_check: "full" checks every item, "sample" a sample)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from flask import Response

from .context import sandbox
from .record import NO_BODY, current
from .spec import Operation

if TYPE_CHECKING:
    from .api import Api

HEADER = "X-Sandbox-Spec-Violation"
log = logging.getLogger("mock_server")


def check_response(response: Response) -> None:
    """Flags the answer the dispatcher rendered when it breaks its operation's documented responses."""
    record = current()
    operation: Operation | None = record.operation
    if (operation is not None and sandbox().settings.self_check != "off" and response.mimetype == "application/json"
            and record.fault is None and not record.streamed):  # an injected fault is meant to break the contract
        problem = spec_violation(record.api, operation, response)
        if problem:
            log.error("spec violation on %s %s: %s", operation.method, operation.path, problem)
            response.headers[HEADER] = problem[:300]


def spec_violation(api: Api, operation: Operation, response: Response) -> str | None:
    if not operation.documents_status(response.status_code):
        return f"status {response.status_code} is not documented for {operation.operation_id}"
    schema = operation.response_schema(response.status_code)
    if schema is None:
        return None
    body = current().response_body
    if body is NO_BODY:
        body = response.get_json()
    settings = sandbox().settings
    sampled = body if settings.self_check == "full" else _sample(body, settings.self_check_sample)
    validator = api.spec.compiled_validator(schema)
    first = None if validator.is_valid(sampled) else next(iter(validator.iter_errors(sampled)), None)
    if first is None:
        return None
    where = "/".join(map(str, first.instance_path)) or "(root)"
    return f"{where}{' (of a sample)' if sampled is not body else ''}: {first.message}"


def row_checker(api: Api, operation: Operation, status: int):
    """Checks rows of a streamed array against the array's item schema; returns the first problem (logged)."""
    settings = sandbox().settings
    schema = operation.response_schema(status)
    items = api.spec.resolve(schema).get("items") if settings.self_check != "off" and schema is not None else None
    if items is None:
        return None, None
    validator = api.spec.compiled_validator(items)
    sample = None if settings.self_check == "full" else max(1, settings.self_check_sample // 2)

    def check(rows: list, start: int):
        for offset, row in enumerate(rows):
            first = None if validator.is_valid(row) else next(iter(validator.iter_errors(row)), None)
            if first is not None:
                where = "/".join(map(str, [start + offset, *first.instance_path]))
                problem = f"{where}: {first.message}"
                log.error("spec violation on %s %s (streamed): %s", operation.method, operation.path, problem)
                return problem
        return None
    return check, sample


def _sample(value: Any, size: int) -> Any:
    """`value` with every array longer than `size` cut to its first and last size/2 items (the self-check
    of a 40,000-row report then costs what a 40-row one does; every row is built by the same code)."""
    if isinstance(value, list):
        items = value if len(value) <= size else value[:size // 2] + value[-(size // 2):]
        sampled = [_sample(item, size) for item in items]
        return value if len(items) == len(value) and all(a is b for a, b in zip(sampled, value, strict=True)) \
            else sampled
    if isinstance(value, dict):
        sampled = {key: _sample(item, size) for key, item in value.items()}
        return value if all(sampled[key] is item for key, item in value.items()) else sampled
    return value
