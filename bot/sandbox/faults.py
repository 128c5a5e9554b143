"""Faults a test injects into the sandbox's Web API: HTTP errors and rate limits for the next calls to a method (or
at random, from a seeded RNG), an answer held back (``stall``), every call held (``hold_calls``). The Web API
(``bot.sandbox.webapi``) asks ``_take_fault`` on every call."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

from bot.sandbox.workspace import Workspace


@dataclass
class _Fault:
    method: str | None
    status: int
    times: int
    retry_after: int
    after: bool = False  # carry the call out, then answer with the fault: the caller never learns it worked


class Faults(Workspace):
    """What goes wrong on purpose; see the module docstring."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._faults: list[_Fault] = []
        self._stall: tuple[str, int] | None = None  # (method, n): hold back the answer to the n-th call
        self.stalled = threading.Event()  # set while a stalled answer is held back
        self.stalled_call: dict[str, Any] | None = None  # the arguments of that call
        self._calls_open = threading.Event()  # cleared: every Web API call waits (a Slack that does not answer)
        self._calls_open.set()
        self._unstall = threading.Event()
        self._rng = random.Random(0)
        self._rate_429 = 0.0
        self._rate_5xx = 0.0

    # ------------------------------------------------------------------ faults
    def inject(
        self, method: str | None, *, status: int, times: int = 1, retry_after: int = 1, after: bool = False
    ) -> None:
        """The next ``times`` calls to ``method`` (None: any) answer HTTP ``status`` (429: Retry-After). With
        ``after``, each call is carried out first and only its answer is the fault (Slack posted, the answer got
        lost)."""
        with self.lock:
            self._faults.append(_Fault(method, status, times, retry_after, after))

    def stall(self, method: str, nth: int) -> None:
        """Carry out the ``nth`` call to ``method`` from now, then hold its answer back (``stalled`` is set)
        until ``unstall()``: a caller killed meanwhile never hears that the call worked."""
        with self.lock:
            self._stall = (method, nth)
            self.stalled.clear()
            self._unstall.clear()

    def unstall(self) -> None:
        self._unstall.set()

    def hold_calls(self) -> None:
        """Every Web API call from now on waits, unanswered, until ``release_calls()`` (at most 60 s)."""
        self._calls_open.clear()

    def release_calls(self) -> None:
        self._calls_open.set()

    def fault_rates(self, rate_429: float = 0.0, rate_5xx: float = 0.0, seed: int = 0) -> None:
        """Random faults on every call, from a seeded RNG (reproducible)."""
        with self.lock:
            self._rate_429 = rate_429
            self._rate_5xx = rate_5xx
            self._rng = random.Random(seed)

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method in (None, method) and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        if self._rate_429 or self._rate_5xx:
            roll = self._rng.random()
            if roll < self._rate_429:
                return _Fault(method, 429, 1, 1)
            if roll < self._rate_429 + self._rate_5xx:
                # like Slack's, half of the 5xx answers come after the call was carried out
                return _Fault(method, 500, 1, 0, after=self._rng.random() < 0.5)
        return None
