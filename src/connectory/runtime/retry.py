"""When and how long ``invoke`` waits before sending a request again.

    budget = Retries(retries=3, max_wait_seconds=30.0)
    budget.retried(method, status)                   is this answer worth asking again?
    budget.wait(attempt, response_headers, shown)    wait, and say whether to send again

A request is sent again when the system answers 429 (Too Many Requests: it did not act on it),
or 503 (Service Unavailable) to an idempotent method, or when no answer came (no connection
made, or a kept connection the server had closed) and the method is idempotent: at most ``retries`` times, waiting as the
answer's ``Retry-After`` says (delta-seconds or an HTTP-date), else ``backoff`` (exponential
with full jitter), and at most ``max_wait_seconds`` in all. A server that asks to wait longer
than what is left of that budget is a ``SourceUnreachable`` at once, without waiting: a hostile
or overloaded server cannot hold a caller for an hour.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from connectory.errors import SourceUnreachable

__all__ = ["IDEMPOTENT", "RETRIED", "Retries", "backoff", "retry_after"]

RETRIED = frozenset({429, 503})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
BACKOFF_BASE = 0.5
"""Seconds: the first backoff is up to this long, then up to twice as long each time."""


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """The seconds a ``Retry-After`` value asks for (0 for a date past), None if it is neither
    delta-seconds nor an HTTP-date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff(attempt: int, rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with full jitter: up to ``BACKOFF_BASE * 2**attempt`` seconds."""
    return rng() * BACKOFF_BASE * math.pow(2, min(attempt, 30))


@dataclass
class Retries:
    """The budget of one call: ``retries`` sends again, ``max_wait_seconds`` of waiting."""

    retries: int = 3
    max_wait_seconds: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: Callable[[], float] = random.random
    waited: float = field(default=0.0, init=False)

    def retried(self, method: str, status: int) -> bool:
        """Whether an answer with ``status`` to ``method`` is worth sending again."""
        return status == 429 or (status in RETRIED and method.upper() in IDEMPOTENT)

    def wait(self, attempt: int, headers: Mapping[str, str] | None, shown: str) -> bool:
        """Wait before the attempt after ``attempt`` (0 for the first send) and say True, or say
        False when the budget is spent; ``SourceUnreachable`` if ``headers``' ``Retry-After``
        asks for more than is left (``shown``: the URL, redacted)."""
        if attempt >= self.retries:
            return False
        left = self.max_wait_seconds - self.waited
        asked = retry_after((headers or {}).get("retry-after"))
        if asked is not None and asked > left:
            spent = f" ({self.waited:g} s spent)" if self.waited else ""
            raise SourceUnreachable(
                f"the server asks to wait {asked:g} s, more than the "
                f"{self.max_wait_seconds:g} s allowed{spent} (max_wait_seconds, --max-wait)",
                location=shown,
            )
        delay = asked if asked is not None else min(backoff(attempt, self.rng), left)
        if delay <= 0 and asked is None and left <= 0:
            return False
        self.waited += delay
        if delay > 0:
            self.sleep(delay)
        return True
