"""The control API answers this sandbox's own pages and clients only: never a request another web page made.

Without an admin token the control API is open, so a web page the integrator visits could reset the sandbox or
read tenant credentials: a cross-site request (the partner APIs answer `Access-Control-Allow-Origin: *`, and a
form or a `text/plain` fetch needs no CORS at all), or, by DNS rebinding, a request that looks same-origin to the
browser but names the attacker's host. So the control API sends no CORS headers, takes bodies only as
`application/json` (handlers.py), and here: the Host must name this sandbox (a loopback name on the bound port,
the bound address, or the configured public name) and an Origin, when a browser sends one, must be the sandbox's
own. FIDELITY.md, Hardening.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import errors

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"", "0.0.0.0", "::"})


def split_host(host: str, default_port: int | None = None) -> tuple[str, int | None]:
    """'Name:port' (IPv6 literals in brackets) -> (lower-case name, port); a port that is not a number -> -1."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif host.count(":") == 1:
        name, _, port = host.partition(":")
    else:
        name, port = host, ""
    if not port:
        return name.rstrip("."), default_port
    return name.rstrip("."), int(port) if port.isdigit() else -1


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class HostPolicy:
    """Which Host headers name this sandbox. bind_port None (an app not started by `mock-server serve`, e.g. the
    tests' client): loopback names on any port."""

    bind_host: str | None = None
    bind_port: int | None = None
    public: tuple[tuple[str, int | None], ...] = ()  # --public-host names, each with its port or any

    @classmethod
    def of(cls, settings) -> HostPolicy:
        """From the settings' bind_host, bind_port and public_host (mock_server/settings.py)."""
        public = tuple(split_host(name) for name in (settings.public_host or "").split(",") if name.strip())
        bind_host = settings.bind_host
        return cls(bind_host=None if bind_host is None else split_host(bind_host)[0],
                   bind_port=settings.bind_port, public=public)

    def accepts(self, host: str, scheme: str) -> bool:
        name, port = split_host(host, 443 if scheme == "https" else 80)
        if any(name == public and wanted in (None, port) for public, wanted in self.public):
            return True
        if self.bind_port is not None and port != self.bind_port:
            return False
        if name in LOOPBACK_NAMES:
            return True
        if self.bind_host in WILDCARDS:  # every address of the machine: an IP literal cannot be rebound
            return _is_ip(name)
        return name == self.bind_host

    def describe(self) -> str:
        port = f":{self.bind_port}" if self.bind_port is not None else ""
        names = [f"localhost{port}", f"127.0.0.1{port}", f"[::1]{port}"]
        if self.bind_host and self.bind_host not in LOOPBACK_NAMES:
            names.append("any IP address of this machine" + port if self.bind_host in WILDCARDS
                         else f"{self.bind_host}{port}")
        names += [f"{name}:{port}" if port else name for name, port in self.public]
        return ", ".join(names)


def check(policy: HostPolicy, request) -> None:
    """403 unless the request names this sandbox and, sent by a browser, comes from one of its own pages."""
    host = request.host
    if not policy.accepts(host, request.scheme):
        raise errors.refused(403, f"The control API answers requests for this sandbox's own address only "
                                  f"({policy.describe()}); this request named {host!r}. To reach it by another "
                                  "name, start the server with --public-host NAME (or SANDBOX_PUBLIC_HOST).")
    origin = request.headers.get("Origin")
    if origin is not None and not _same_origin(origin, request.scheme, host):
        raise errors.refused(403, f"The control API takes no cross-site requests: Origin {origin!r} is not this "
                                  f"sandbox ({request.scheme}://{host}).")


def _same_origin(origin: str, scheme: str, host: str) -> bool:
    parts = urlsplit(origin.strip())
    if parts.scheme.lower() != scheme or not parts.netloc:
        return False
    default = 443 if scheme == "https" else 80
    return split_host(parts.netloc, default) == split_host(host, default)
