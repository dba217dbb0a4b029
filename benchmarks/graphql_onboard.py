"""Benchmark: onboarding GitHub's GraphQL schema from SDL and from an introspection result.

    .venv/bin/python benchmarks/graphql_onboard.py [CORPUS_GRAPHQL_DIR]

Prints, in one run on this machine, for GitHub's schema 15.25.0 (1,600 types, 272 root fields)
as SDL (1.2 MB) and as an introspection result (5 MB):

- the floor: graphql-core building the schema from the same file alone (``build_schema`` on the
  text; ``json.loads`` + ``build_client_schema`` for the JSON), as called, and with Python's
  cyclic garbage collector paused as Connectory's GraphQL generator pauses it (the collector
  costs graphql-core's own ``build_schema`` 40% on this schema: that is the like-for-like floor);
- graphql-core's own share of inspect: the floor and ``validate_schema`` (the schema's rules,
  which inspect must check to turn a schema's warts into findings; graphql-core itself checks
  them before it first validates or executes an operation);
- ``connectory.inspect(path, protocol="graphql")``: read, parse, generate (schema checks, canonical
  hash, actions with operation documents and JSON Schemas, definitions) and validate (the
  metaschema check of every generated JSON Schema), and its ratio to the floor;
- where the time goes, step by step.

Times are the best of five runs, the floor and ``inspect`` taking turns (the machine may be
busy). The target is ``inspect`` within 2x of the floor.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared/corpus/graphql/github"


def best_times(fns: list[Callable[[], object]], runs: int = 5) -> list[float]:
    """The best of ``runs`` times of each function, run in turns (so that a busy machine slows
    them alike): the figure least disturbed by other processes. The heap is collected before each
    run, so that none pays for the garbage of the one before: the paused floor leaves its parsed
    document's cyclic garbage (tokens) to whatever runs next, ``inspect`` collects its own when
    it resumes the collector."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, found in zip(fns, times, strict=True):
            gc.collect()  # start clean: nobody pays for the garbage of the one before
            started = time.perf_counter()
            fn()
            found.append(time.perf_counter() - started)
    return [min(found) for found in times]


def steps(path: Path) -> list[tuple[str, float]]:
    """The time of each step of ``inspect`` on ``path``, run one after the other."""
    from connectory.protocols.graphql.introspection import check_introspection
    from connectory.protocols.graphql.jsonschema import TypeSchemas
    from connectory.protocols.graphql.schema import (
        _build,
        canonical_sdl,
        load_introspection,
        load_sdl,
    )
    from connectory.protocols.graphql.sdl import parse_sdl
    from graphql import build_client_schema
    from graphql.type.validate import SchemaValidationContext

    from connectory.documents.fetch import fetch
    from connectory.documents.parse import parse
    from connectory.model import ConnectorVersion, GraphQLMetadata
    from connectory.protocols.graphql.actions import root_actions

    def _rules(schema: object) -> object:
        """``validate_schema``'s work, without its cache (it remembers a schema's errors)."""
        context = SchemaValidationContext(schema)  # type: ignore[arg-type]
        context.validate_root_types()
        context.validate_directives()
        context.validate_types()
        return context.errors

    from connectory.validate import validate

    found: list[tuple[str, float]] = []

    def step(name: str, fn: Callable[[], object], collector: bool = False) -> object:
        """``fn``'s best time; the generator's steps run with the collector paused, as in
        ``inspect``, the others (``collector=True``) with it running."""
        fn = fn if collector else paused(fn)
        seconds = []
        for _ in range(3):
            started = time.perf_counter()
            result = fn()
            seconds.append(time.perf_counter() - started)
        found.append((name, min(seconds)))
        return result

    raw = step(
        "read + detect/parse the file",
        lambda: parse(fetch(path), protocol="graphql"),
        collector=True,
    )
    source = str(path)
    if raw.kind == "graphql-sdl":  # type: ignore[attr-defined]
        document = step(
            "  SDL: parse (+ drop repeated definitions)",
            lambda: parse_sdl(raw.content, source)[0],  # type: ignore[attr-defined]
        )
        schema = step("  SDL: validate_sdl + build_ast_schema", lambda: _build(document, source)[0])
    else:
        step(
            "  introspection: check its shape",
            lambda: check_introspection(raw.content, source),  # type: ignore[attr-defined]
        )
        schema = step(
            "  introspection: build_client_schema",
            lambda: build_client_schema(check_introspection(raw.content, source)),  # type: ignore[attr-defined]
        )
    step("  validate_schema (warts -> findings)", lambda: _rules(schema))
    step("  canonical SDL (sorted, printed) + sha256", lambda: canonical_sdl(schema))  # type: ignore[arg-type]
    load = load_sdl if raw.kind == "graphql-sdl" else load_introspection  # type: ignore[attr-defined]
    loaded = step(
        "schema: all of the above, with findings",
        lambda: load(raw.content, source),  # type: ignore[attr-defined]
    )
    types = TypeSchemas(loaded.schema)  # type: ignore[attr-defined]
    built = step(
        "actions + triggers (documents, JSON Schemas)", lambda: root_actions(loaded.schema, types)
    )  # type: ignore[attr-defined]
    definitions = step("definitions", types.definitions)
    version = step(
        "ConnectorVersion (pydantic)",
        lambda: ConnectorVersion(
            connector="github",
            protocol="graphql",
            source=str(path),
            sha256=raw.raw.sha256,  # type: ignore[attr-defined]
            fetched_at=raw.raw.fetched_at,  # type: ignore[attr-defined]
            metadata=GraphQLMetadata(sdl=loaded.sdl, schema_sha256=loaded.sha256),  # type: ignore[attr-defined]
            actions=built[0],  # type: ignore[index]
            triggers=built[1],  # type: ignore[index]
            definitions=definitions,
        ),
    )
    step(
        "validate (metaschema check of every schema)",
        lambda: validate(version),  # type: ignore[arg-type]
        collector=True,
    )
    return found


def paused(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` run with the cyclic garbage collector paused, as Connectory's GraphQL generator runs."""

    def run() -> object:
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()

    return run


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    from graphql import build_client_schema, build_schema, validate_schema

    from connectory import inspect

    sdl = folder / "schema-15.25.0.graphql"
    introspection = folder / "schema-15.25.0.json"
    inspect(sdl, protocol="graphql")  # warm up imports and caches
    rows = []
    for path, floor_name, floor in (
        (sdl, "build_schema(text)", lambda: build_schema(sdl.read_text())),
        (
            introspection,
            "json.loads + build_client_schema",
            lambda: build_client_schema(json.loads(introspection.read_text())),
        ),
    ):
        floor_time, paused_time, checked_time, inspect_time = best_times(
            [
                floor,
                paused(floor),
                paused(lambda floor=floor: validate_schema(floor())),
                lambda path=path: inspect(path, protocol="graphql"),
            ]
        )
        rows.append((path.name, floor_time, paused_time, inspect_time))
        print(f"\n{path.name} ({path.stat().st_size / 1e6:.1f} MB)")
        print(f"  {'floor: ' + floor_name:<58} {floor_time:7.2f} s")
        print(f"  {'floor, garbage collector paused (as inspect runs)':<58} {paused_time:7.2f} s")
        print(
            f"  {'floor + validate_schema, paused (graphql-core: inspect needs both)':<58} "
            f"{checked_time:7.2f} s  ({checked_time / floor_time:.1f}x the floor)"
        )
        print(f"  {'connectory.inspect':<58} {inspect_time:7.2f} s")
        for name, seconds in steps(path):
            print(f"    {name:<56} {seconds:7.2f} s")
    print("\nconnectory.inspect / floor (target: 2x):")
    for name, floor_time, paused_time, inspect_time in rows:
        print(
            f"  {name:<26} {inspect_time / floor_time:5.1f}x the floor, "
            f"{inspect_time / paused_time:5.1f}x the floor with the collector paused"
        )


if __name__ == "__main__":
    main()
