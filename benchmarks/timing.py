"""Timing helpers shared by the benchmark scripts (imported as ``timing``: each script runs with
``benchmarks/`` first on its path)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["median_time", "timed"]


def timed(fn: Callable[[], object]) -> float:
    """The wall-clock seconds of one call of ``fn``."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_time(fn: Callable[[], object], runs: int = 5) -> float:
    """The median of ``runs`` timed calls of ``fn``."""
    return statistics.median(timed(fn) for _ in range(runs))
