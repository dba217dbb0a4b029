"""Benchmark: diffing two versions of Stripe's API (2022-04-12 -> 2023-09-12, 400+ actions and 500+
definitions each), and the change report it gives.

    .venv/bin/python benchmarks/diff.py [OLD NEW]

Prints the time to inspect each document (for scale), the median time of ``connectory.diff`` over
a few runs, of diffing a version with itself, and the counts of changes by level and kind.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from timing import median_time  # benchmarks/timing.py

ROOT = Path(__file__).resolve().parents[1]
STRIPE = ROOT.parent / "shared/corpus/openapi/stripe"


def main() -> None:
    from connectory import diff, inspect

    old_path, new_path = (
        (Path(sys.argv[1]), Path(sys.argv[2]))
        if len(sys.argv) > 2
        else (STRIPE / "spec3.json", STRIPE / "spec3.yaml")
    )
    started = time.perf_counter()
    old = inspect(old_path, connector="old")
    print(f"inspect {old_path.name}: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    new = inspect(new_path, connector="new")
    print(f"inspect {new_path.name}: {time.perf_counter() - started:.2f} s")
    print(
        f"old: {len(old.actions)} actions, {len(old.definitions)} definitions; "
        f"new: {len(new.actions)} actions, {len(new.definitions)} definitions"
    )
    changes = diff(old, new)
    print(f"diff: {median_time(lambda: diff(old, new)) * 1000:.0f} ms (median of 5)")
    print(f"diff with itself: {median_time(lambda: diff(new, new)) * 1000:.0f} ms (median of 5)")
    by_level = Counter(change.level for change in changes)
    print(f"{len(changes)} changes: " + ", ".join(f"{n} {k}" for k, n in sorted(by_level.items())))
    for (level, kind), n in sorted(Counter((c.level, c.kind) for c in changes).items()):
        print(f"  {level:9} {kind:32} {n:5}")


if __name__ == "__main__":
    main()
