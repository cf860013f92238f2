"""The sandbox's own control API (openapi/sandbox.yaml), served under /_sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..clock import Clock
from ..spec import Spec
from ..store import Store
from .faults import Faults
from .journal import Journal
from .masking import KnownSecrets
from .state import State
from .tenants import Tenants


@dataclass
class Control:
    store: Store
    clock: Clock
    spec: Spec
    state: State
    journal: Journal
    faults: Faults
    tenants: Tenants
    secrets: KnownSecrets  # every credential value the sandbox knows: masked in the journal and every log


def create_backend(store: Store, clock: Clock, spec: Spec, config: dict) -> Control:
    state = State(store, clock, Path(config["FIXTURE_DIR"]), Path(config["SPEC_DIR"]), tuple(config["APIS"]))
    secrets = KnownSecrets(store, extra=(config.get("ADMIN_TOKEN"),), fixtures=state.fixtures)
    journal = Journal(store, int(config["JOURNAL_SIZE"]), secrets)
    tenants = Tenants(state, int(config["TENANT_IDLE_SECONDS"]))
    tenants.recorder = journal
    tenants.secrets = secrets
    return Control(store=store, clock=clock, spec=spec, state=state, journal=journal, faults=Faults(store),
                   tenants=tenants, secrets=secrets)
