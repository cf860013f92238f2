"""The sandbox's own control API (openapi/sandbox.yaml), served under /_sandbox."""

from __future__ import annotations

from dataclasses import dataclass

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


def create_backend(store: Store, clock: Clock, spec: Spec, settings) -> Control:
    state = State(store, clock, settings.fixture_dir, settings.spec_dir, settings.apis)
    secrets = KnownSecrets(store, extra=(settings.admin_token,), fixtures=state.fixtures)
    journal = Journal(store, settings.journal_size, secrets)
    tenants = Tenants(state, settings.tenant_idle_seconds)
    tenants.recorder = journal
    tenants.secrets = secrets
    return Control(store=store, clock=clock, spec=spec, state=state, journal=journal, faults=Faults(store),
                   tenants=tenants, secrets=secrets)
