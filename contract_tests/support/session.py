"""The one HTTP session every contract test uses against a target: bounded and polite.

- exponential backoff on 429/502/503/504: 2 s, 4 s, 8 s (Leasey §15), honouring Retry-After;
  a 500 is never retried (it is a finding, not a hiccup);
- a 60-second timeout (Leasey §15: "Design with a 60-second timeout on the client"; --timeout sets another),
  and a request that timed out is not retried;
- a requests-per-second cap and a request budget, so a shared stage is not hammered.
"""

from __future__ import annotations

import threading
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TIMEOUT = 60


class BudgetExhausted(RuntimeError):
    pass


class PoliteSession(requests.Session):
    def __init__(self, rate: float, budget: int, timeout: float = TIMEOUT):
        super().__init__()
        self.timeout = timeout
        # read=0: a request that timed out is not sent again (a write may have landed; a hang is a finding).
        retry = Retry(total=3, read=0, backoff_factor=2, status_forcelist=(429, 502, 503, 504), allowed_methods=None,
                      respect_retry_after_header=True, raise_on_status=False)
        self.mount("http://", HTTPAdapter(max_retries=retry))
        self.mount("https://", HTTPAdapter(max_retries=retry))
        self.rate = rate
        self.budget = budget
        self.sent = 0
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def request(self, method, url, *args, **kwargs):
        with self._lock:
            if self.sent >= self.budget:
                raise BudgetExhausted(f"request budget of {self.budget} used up (raise it with --request-budget)")
            self.sent += 1
            if self.rate > 0:
                now = time.monotonic()
                wait = self._next_slot - now
                self._next_slot = max(now, self._next_slot) + 1.0 / self.rate
            else:
                wait = 0
        if wait > 0:
            time.sleep(wait)
        asked = kwargs.get("timeout")
        kwargs["timeout"] = min(asked, self.timeout) if isinstance(asked, int | float) else self.timeout
        return super().request(method, url, *args, **kwargs)
