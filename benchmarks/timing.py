"""Timing helpers shared by the benchmark scripts (imported as ``timing``: each script runs with
``benchmarks/`` first on its path)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["median_time", "proc_status", "timed"]


def timed(fn: Callable[[], object]) -> float:
    """The wall-clock seconds of one call of ``fn``."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_time(fn: Callable[[], object], runs: int = 5) -> float:
    """The median of ``runs`` timed calls of ``fn``."""
    return statistics.median(timed(fn) for _ in range(runs))


def proc_status(field: str) -> int:
    """A field of /proc/self/status, in bytes (``VmRSS``: resident now; ``VmHWM``: its peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"no {field} in /proc/self/status")
