"""Benchmark: diffing GitHub's GraphQL schema 14.58.0 -> 15.25.0, against graphql-core.

    .venv/bin/python benchmarks/graphql_diff.py

In one run: graphql-core's ``find_breaking_changes`` + ``find_dangerous_changes`` on the two
schemas (built outside the timing, and again with the building timed), and ``connectory.diff`` on
the two onboarded versions (onboarded outside the timing; the diff rebuilds both schemas from the
SDL the versions carry, so its schema cache is cleared before each run). Prints the times, their
ratios, the counts by level, and whether Connectory found every breaking change graphql-core found.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from graphql import build_client_schema, find_breaking_changes, find_dangerous_changes
from timing import median_time  # benchmarks/timing.py

from connectory import diff, inspect
from connectory.protocols.graphql.parse import schema_from_sdl

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "graphql" / "github"


def main() -> None:
    old_path, new_path = CORPUS / "schema-14.58.0.json", CORPUS / "schema-15.25.0.json"
    if not old_path.exists():
        sys.exit(f"the corpus is not at {CORPUS}")

    def schema(path: Path):  # type: ignore[no-untyped-def]
        data = json.loads(path.read_text())
        return build_client_schema(data.get("data", data))

    old_schema, new_schema = schema(old_path), schema(new_path)
    old_version = inspect(old_path, connector="github")
    new_version = inspect(new_path, connector="github")

    def peer() -> tuple[list, list]:  # type: ignore[type-arg]
        return (
            find_breaking_changes(old_schema, new_schema),
            find_dangerous_changes(old_schema, new_schema),
        )

    def peer_with_build() -> object:
        return find_breaking_changes(schema(old_path), schema(new_path)), find_dangerous_changes(
            old_schema, new_schema
        )

    def ours_cold() -> object:
        schema_from_sdl.cache_clear()
        return diff(old_version, new_version)

    breaking, dangerous = peer()
    ours = diff(old_version, new_version)
    peer_seconds = median_time(peer)
    peer_build_seconds = median_time(peer_with_build)
    our_seconds = median_time(ours_cold)
    levels = Counter(change.level for change in ours)
    found = {c.message for c in ours if c.level == "breaking"}
    missing = [c.description for c in breaking if c.description not in found]
    print("GitHub GraphQL 14.58.0 -> 15.25.0")
    print(
        f"graphql-core find_breaking + find_dangerous: {peer_seconds:.3f} s, "
        f"{len(breaking)} breaking, {len(dangerous)} dangerous"
    )
    print(
        f"connectory.diff (schema + actions):          {our_seconds:.3f} s, "
        f"{levels['breaking']} breaking, {levels['dangerous']} dangerous, {levels['safe']} safe"
    )
    print(f"graphql-core, building both schemas from JSON too: {peer_build_seconds:.3f} s")
    print(f"ratio connectory / graphql-core (schemas prebuilt): {our_seconds / peer_seconds:.2f}")
    print(
        f"ratio connectory / graphql-core (schemas built):    {our_seconds / peer_build_seconds:.2f}"
    )
    print(f"graphql-core's breaking changes that connectory missed: {len(missing)}")
    for description in missing:
        print(f"  {description}")


if __name__ == "__main__":
    main()
