"""Benchmark: onboarding GitHub's GraphQL schema from an introspection result and from SDL.

    .venv/bin/python benchmarks/graphql_onboard.py [CORPUS_GRAPHQL_GITHUB_DIR]

Prints, in one run on this machine, for GitHub's schema 15.25.0 (1,600 types, 272 root fields)
as an introspection result (5 MB) and as SDL (1.2 MB), against graphql-core reading the same file:

- the peer for the introspection result: ``json.loads`` + ``build_client_schema`` +
  ``validate_schema`` (the schema's rules, which inspect must check to turn a schema's warts into
  findings; graphql-core itself checks them before it first validates or executes an operation);
- the peer for SDL: ``build_schema`` on the text (which checks the SDL's rules);
- ``connectory.inspect(path, protocol="graphql")``: read, parse, generate (shape check, schema
  build and rules, canonical SDL and its hash, actions with operation documents and JSON Schemas,
  definitions, the version model) and validate (the metaschema check of every generated JSON
  Schema), and its ratio to the peer: targets at most 3x for the introspection result, 2x for SDL;
- where inspect's time goes, step by step.

Every figure is the best of seven runs, the peer and ``inspect`` taking turns (the machine may be
busy). Each is timed with Python's cyclic garbage collector paused around the call (Connectory's
generator pauses it; the collector costs graphql-core's own ``build_schema`` 40% on this schema),
and with it running; the ratios compare like with like (paused to paused, running to running:
with the collector running, each also pays for collecting its own cyclic garbage, the built
schema). Wall-clock seconds, and CPU seconds of this process (less disturbed by other processes
on a shared machine).
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared/corpus/graphql/github"
RUNS = 7

Timing = tuple[float, float]
"""Wall-clock and CPU seconds."""


def paused(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` run with the cyclic garbage collector paused, as Connectory's GraphQL generator runs."""

    def run() -> object:
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()

    return run


def best_times(fns: list[Callable[[], object]], runs: int = RUNS) -> list[Timing]:
    """The best of ``runs`` times of each function (wall-clock and CPU, each its own best), run in
    turns so that a busy machine slows them alike. The heap is collected before each run, so that
    none pays for the garbage of the one before."""
    times: list[list[Timing]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, found in zip(fns, times, strict=True):
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            found.append((time.perf_counter() - wall, time.process_time() - cpu))
    return [(min(w for w, _ in found), min(c for _, c in found)) for found in times]


def steps(path: Path) -> list[tuple[str, Timing]]:
    """The time of each step of ``inspect`` on ``path``, run one after the other (collector
    paused, as in ``inspect``)."""
    from graphql import build_client_schema

    from connectory.documents.fetch import fetch
    from connectory.documents.parse import parse
    from connectory.onboarding import validated
    from connectory.protocols.graphql._canonical import canonical_sdl
    from connectory.protocols.graphql._introspection import check_introspection
    from connectory.protocols.graphql._sdl import parse_sdl
    from connectory.protocols.graphql.actions import root_actions
    from connectory.protocols.graphql.definitions import TypeSchemas
    from connectory.protocols.graphql.generate import build_version
    from connectory.protocols.graphql.parse import _build, _schema_errors

    found: list[tuple[str, Timing]] = []

    def step(name: str, fn: Callable[[], object]) -> object:
        results: list[object] = []
        (timing,) = best_times([paused(lambda: results.append(fn()))], runs=3)
        found.append((name, timing))
        return results[-1]

    source = str(path)
    parsed = step(
        "read + parse the file (JSON: json.loads, refusing duplicate keys)",
        lambda: parse(fetch(path), protocol="graphql"),
    )
    raw = parsed.raw  # type: ignore[attr-defined]
    content = parsed.content  # type: ignore[attr-defined]
    if parsed.kind == "graphql-sdl":  # type: ignore[attr-defined]
        document = step(
            "  SDL: parse (+ drop repeated definitions)", lambda: parse_sdl(content, source)[0]
        )
        schema = step("  SDL: validate_sdl + build_ast_schema", lambda: _build(document, source)[0])  # type: ignore[arg-type]
    else:
        holder = step(
            "  introspection: check its shape", lambda: check_introspection(content, source)
        )
        schema = step("  introspection: build_client_schema", lambda: build_client_schema(holder))  # type: ignore[arg-type]
    step("  validate_schema (warts -> findings)", lambda: _schema_errors(_fresh(schema)))
    step("  canonical SDL (sorted, printed)", lambda: canonical_sdl(schema))  # type: ignore[arg-type]
    step("  definitions", lambda: TypeSchemas(schema).definitions())  # type: ignore[arg-type]
    step(
        "  actions + triggers (documents, JSON Schemas)",
        lambda: root_actions(schema, TypeSchemas(schema)),
    )  # type: ignore[arg-type]
    version = step(
        "generate: all of the above, with findings and the version model",
        lambda: build_version(
            content,
            kind=parsed.kind,  # type: ignore[attr-defined]
            connector="github",
            source=source,
            sha256=raw.sha256,  # type: ignore[attr-defined]
            fetched_at=raw.fetched_at,  # type: ignore[attr-defined]
        ),
    )
    step("validate (metaschema check of every schema)", lambda: validated(version))  # type: ignore[arg-type]
    return found


def _fresh(schema: object) -> object:
    """``schema`` with ``validate_schema``'s remembered errors forgotten, so that it checks again."""
    schema._validation_errors = None  # type: ignore[attr-defined]
    return schema


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    from graphql import build_client_schema, build_schema, validate_schema

    from connectory import inspect

    introspection = folder / "schema-15.25.0.json"
    sdl = folder / "schema-15.25.0.graphql"
    if not introspection.exists():
        sys.exit(f"GitHub's schema is not at {folder}")
    inspect(sdl, protocol="graphql")  # warm up imports and caches
    rows = []
    for path, peer_name, peer, target in (
        (
            introspection,
            "json.loads + build_client_schema + validate_schema",
            lambda: validate_schema(build_client_schema(json.loads(introspection.read_text()))),
            3.0,
        ),
        (sdl, "build_schema(text)", lambda: build_schema(sdl.read_text()), 2.0),
    ):
        ours = partial(inspect, path, protocol="graphql")
        running, peer_time, ours_running, inspect_time = best_times(
            [peer, paused(peer), ours, paused(ours)]
        )
        rows.append((path.name, peer_name, peer_time, inspect_time, running, ours_running, target))
        print(f"\n{path.name} ({path.stat().st_size / 1e6:.1f} MB)       wall-clock   CPU")
        for name, (wall, cpu) in (
            ("peer: " + peer_name, peer_time),
            ("  the same, garbage collector running", running),
            ("connectory.inspect", inspect_time),
            ("  the same, garbage collector running", ours_running),
        ):
            print(f"  {name:<62} {wall:6.3f} s {cpu:6.3f} s")
        for name, (wall, cpu) in steps(path):
            print(f"    {name:<60} {wall:6.3f} s {cpu:6.3f} s")
    print("\nconnectory.inspect / peer: both with the collector paused (both running)")
    for name, peer_name, peer_time, inspect_time, running, ours_running, target in rows:
        print(
            f"  {name:<24} {inspect_time[0] / peer_time[0]:4.2f}x wall-clock "
            f"({ours_running[0] / running[0]:4.2f}x), {inspect_time[1] / peer_time[1]:4.2f}x CPU "
            f"({ours_running[1] / running[1]:4.2f}x); target: at most {target:.0f}x {peer_name}"
        )


if __name__ == "__main__":
    main()
