"""Rate limits of "Track my report": a sliding window of tries per key (thread-safe).

Two limits apply to every look-up: per browser session (:data:`SESSION_TRIES` per
:data:`WINDOW_S`, counting every try; a reload is a new session, so this one only slows a
person down) and per case number across the whole server process (:data:`CASE_FAILURES`
wrong codes per :data:`CASE_WINDOW_S`, however many sessions send them), so guessing one
case's six-digit code takes about 50,000 hours per process on average. The counts live in
this process's memory: each replica behind a proxy counts on its own and a restart forgets
them. A limited try is refused before any look-up, with the same words whether or not the
case exists.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

SESSION_TRIES = 5
WINDOW_S = 600.0
CASE_FAILURES = 10
CASE_WINDOW_S = 3600.0
MAX_KEYS = 100_000
"""Keys kept at most (the oldest are dropped), so a flood of made-up case numbers cannot fill memory."""


class SlidingLimit:
    """At most ``tries`` per ``window_s`` seconds per key."""

    def __init__(self, tries: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.tries, self.window_s, self.clock = tries, window_s, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._seen.get(key)
        if stamps is None:
            return deque()
        while stamps and stamps[0] <= now - self.window_s:
            stamps.popleft()
        if not stamps:
            del self._seen[key]
        return stamps

    def blocked(self, key: str) -> bool:
        """Whether ``key`` has used up its tries in the window."""
        with self._lock:
            return len(self._recent(key, self.clock())) >= self.tries

    def wait_s(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        with self._lock:
            now = self.clock()
            stamps = self._recent(key, now)
            if len(stamps) < self.tries:
                return 0.0
            return max(0.0, stamps[len(stamps) - self.tries] + self.window_s - now)

    def record(self, key: str) -> None:
        """Count one try of ``key``."""
        with self._lock:
            now = self.clock()
            stamps = self._recent(key, now)
            if key not in self._seen:
                if len(self._seen) >= MAX_KEYS:
                    self._seen.pop(next(iter(self._seen)))
                self._seen[key] = stamps
            stamps.append(now)


CASE_LIMIT = SlidingLimit(CASE_FAILURES, CASE_WINDOW_S)
"""Wrong codes per case number, for the whole server process."""


def session_limit(clock: Callable[[], float] = time.monotonic) -> SlidingLimit:
    """A fresh per-session limit (one lives in each browser session's state)."""
    return SlidingLimit(SESSION_TRIES, WINDOW_S, clock)
