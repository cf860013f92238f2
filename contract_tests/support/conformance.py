"""Checks every response a test receives against the API's spec with openapi-core, an independent validator.

The mock's own self-check uses our spec loader; this one does not, so a bug in the loader cannot hide
a response that breaks the spec.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft202012Validator
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound, ServerNotFound

SPEC_DIR = Path(__file__).resolve().parents[2] / "openapi"


def _exchange(response) -> dict:
    """The request and response as a report shows them (credentials are scrubbed by the report)."""
    request = response.request
    body = request.body.decode(errors="replace") if isinstance(request.body, bytes) else (request.body or "")
    return {"request": {"method": request.method, "url": request.url,
                        "headers": {k: ("[Filtered]" if k.lower() in ("authorization", "x-company-password") else v)
                                    for k, v in request.headers.items()
                                    if k.lower() not in ("user-agent", "accept-encoding", "connection")},
                        "body": body[:2000]},
            "response": {"status": response.status_code, "body": response.text[:2000]}}


def load_spec(api: str) -> dict:
    return yaml.safe_load((SPEC_DIR / f"{api}.yaml").read_text())


@dataclass
class Observation:
    api: str
    method: str
    url: str
    status: int
    problem: str | None
    test: str | None = None
    exchange: dict | None = None


@dataclass
class ConformanceRecorder:
    """A requests response hook: validates each response and remembers what it saw."""

    base_urls: dict[str, str]  # api name -> base URL the spec's paths hang from
    observations: list[Observation] = field(default_factory=list)
    current_test: str | None = None
    seen: dict[str, set] = field(default_factory=lambda: defaultdict(set))  # api -> {(METHOD, path, status)}

    def __post_init__(self):
        self._openapi = {}
        self._paths = {}
        for api, base in self.base_urls.items():
            document = copy.deepcopy(load_spec(api))
            document["servers"] = [{"url": base}]
            # The spec itself is validated by `make spec-check`; validating it again costs every run 0.3 s.
            self._openapi[api] = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
            templates = sorted(document["paths"], key=lambda p: ("{" in p, p))
            self._paths[api] = [(p, re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)))) for p in templates]

    def api_of(self, url: str) -> str | None:
        matches = [(len(base), api) for api, base in self.base_urls.items() if url.startswith(base + "/")]
        return max(matches)[1] if matches else None

    def __call__(self, response, *args, **kwargs):
        api = self.api_of(response.url)
        if api is None:
            return response
        openapi = self._openapi[api]
        request = RequestsOpenAPIRequest(response.request)
        problem = None
        try:
            openapi.validate_response(request, RequestsOpenAPIResponse(response))
        except (PathNotFound, OperationNotFound, ServerNotFound):
            problem = self._check_unrouted(api, response)
        except Exception as error:  # openapi-core raises a family of errors; each is a finding
            problem = f"{type(error).__name__}: {error}"
            cause = error.__cause__ or error.__context__
            if cause is not None:
                problem += f" ({cause})"
        path = self._template(api, response.url)
        self.seen[api].add((response.request.method, path, response.status_code))
        self.observations.append(Observation(api, response.request.method, response.url, response.status_code,
                                             problem, self.current_test, _exchange(response)))
        return response

    def _check_unrouted(self, api: str, response) -> str | None:
        """A request outside the spec must get 404 (unknown path) or 405 with Allow, in the API's error shape."""
        if response.request.method == "OPTIONS" and "Access-Control-Request-Method" in response.request.headers:
            return None if response.ok else f"CORS preflight answered {response.status_code}"
        expected = 405 if self._template(api, response.url) else 404
        if response.status_code != expected:
            return f"expected {expected} for a request outside the spec, got {response.status_code}"
        if expected == 405 and not response.headers.get("Allow"):
            return "405 without an Allow header"
        document = load_spec(api)
        schema = {**document["components"]["schemas"]["Error"], "components": document["components"]}
        try:
            errors = list(Draft202012Validator(schema).iter_errors(response.json()))
        except ValueError:
            return "error body is not JSON"
        return f"error body breaks the Error schema: {errors[0].message}" if errors else None

    def _template(self, api: str, url: str) -> str | None:
        """The spec path template a URL falls under (concrete paths before templated ones)."""
        path = urlsplit(url).path[len(urlsplit(self.base_urls[api]).path):]
        for template, pattern in self._paths[api]:
            if pattern.fullmatch(path):
                return template
        return None
