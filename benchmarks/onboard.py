"""Benchmark: onboarding GitHub's OpenAPI document (845 operations, 5.7 MB), end to end.

    .venv/bin/python benchmarks/onboard.py [DOCUMENT]

Prints, in one run on this machine:
- the floor: ``json.loads`` of the file;
- ``connectory.inspect`` in process (fetch, parse, generate, validate), and its steps;
- ``Catalog.draft`` + ``get_version`` on a fresh SQLite file;
- ``connectory onboard`` as a user runs it (a new process, Prefect's embedded server, a fresh
  SQLite catalogue): the first run, and the second run of the same document (nothing new);
- the same with a Prefect server already running (PREFECT_API_URL set), as on a team's machines.
Times are medians of a few runs where cheap; ratios to the floor are the figures to compare.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import median_time  # benchmarks/timing.py

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared/corpus/openapi/apis-guru/github.com/api.github.com.json"
CONNECTORY = str(Path(sys.executable).parent / "connectory")


def timed_command(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    document = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from connectory import Catalog, inspect
    from connectory.documents.fetch import fetch
    from connectory.documents.parse import parse
    from connectory.onboarding import generate, validated

    text = document.read_bytes()
    print(f"document: {document.name}, {len(text) / 1e6:.1f} MB")
    floor = median_time(lambda: json.loads(text))
    rows: list[tuple[str, float]] = [("json.loads (floor)", floor)]
    raw = fetch(document)
    parsed = parse(raw)
    generated = generate(parsed)
    rows += [
        ("  fetch", median_time(lambda: fetch(document))),
        ("  parse", median_time(lambda: parse(raw))),
        ("  generate", median_time(lambda: generate(parsed))),
        ("  validate", median_time(lambda: validated(generated))),
        ("inspect (all four)", median_time(lambda: inspect(document))),
    ]
    version = inspect(document)
    with tempfile.TemporaryDirectory() as tmp:

        def draft_and_read() -> None:
            path = Path(tmp) / f"c{time.perf_counter_ns()}.db"
            with Catalog.open(f"sqlite:///{path}") as catalog:
                stored = catalog.draft(version).version
                catalog.get_version(stored.connector, stored.version or "")

        rows.append(("Catalog.draft + get_version (SQLite)", median_time(draft_and_read, 3)))
        env = {**os.environ, "CONNECTORY_DATABASE_URL": f"sqlite:///{tmp}/cli.db"}
        env.pop("PREFECT_API_URL", None)
        command = [CONNECTORY, "onboard", str(document), "--name", "bench"]
        rows.append(("connectory onboard, embedded Prefect: 1st", timed_command(command, env)))
        rows.append(("connectory onboard, embedded Prefect: 2nd", timed_command(command, env)))
        rows.append(
            (
                "connectory inspect (CLI, no Prefect)",
                timed_command([CONNECTORY, "inspect", str(document)], env),
            )
        )
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "prefect"), "server", "start", "--port", "4299"],
            env={**env, "PREFECT_HOME": f"{tmp}/prefect"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for("http://127.0.0.1:4299/api/health")
            env = {**env, "PREFECT_API_URL": "http://127.0.0.1:4299/api"}
            env["CONNECTORY_DATABASE_URL"] = f"sqlite:///{tmp}/server.db"
            rows.append(("connectory onboard, Prefect server: 1st", timed_command(command, env)))
            rows.append(("connectory onboard, Prefect server: 2nd", timed_command(command, env)))
        finally:
            server.terminate()
            server.wait(30)
    width = max(len(name) for name, _ in rows)
    print(f"{'step':<{width}}  {'seconds':>8}  {'x floor':>8}")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:8.3f}  {seconds / floor:8.1f}")


def _wait_for(url: str, timeout: float = 90) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the Prefect server at {url} did not start within {timeout:g} s")


if __name__ == "__main__":
    main()
