"""Benchmark: ``connectory onboard`` without PREFECT_API_URL, against ``connectory inspect``.

    .venv/bin/python benchmarks/embedded.py [DOCUMENT] [--runs N]

In a fresh folder (its own data folder, so its own local Prefect server, and catalogue), as a
user runs them (a new process each, a fresh shell):

- ``onboard`` the first time: it starts Connectory's local Prefect server;
- ``onboard`` again (a new connector name each time, so each run drafts), and ``inspect`` of the
  same document, alternately, N times each (median): the figure to compare. Target: onboard at
  most 2 s more than inspect;
- the flow on Prefect's temporary server, started and stopped for the call, as every
  ``connectory onboard`` did before (a new process running the ``onboard`` flow, no API URL).

The local server is stopped at the end. Document: ``examples/openapi/1password-connect.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "examples" / "openapi" / "1password-connect.json"
CONNECTORY = str(Path(sys.executable).parent / "connectory")

TEMPORARY_SERVER = """
import sys
from connectory_flows.onboard import onboard
onboard(source=sys.argv[1], name="temporary")
"""


def timed(args: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("document", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5)
    given = parser.parse_args()
    document = str(given.document.resolve())
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("CONNECTORY_") and k != "PREFECT_API_URL"
        }
        env |= {
            "XDG_DATA_HOME": str(cwd / "data"),
            "CONNECTORY_DATABASE_URL": f"sqlite:///{cwd / 'catalog.db'}",
            "CONNECTORY_SECRETS_FILE": str(cwd / "secrets.json"),
            "PREFECT_HOME": str(cwd / "prefect-home"),  # the temporary server's database
        }
        try:
            first = timed([CONNECTORY, "onboard", document, "--name", "first"], env, cwd)
            onboards, inspects = [], []
            for run in range(given.runs):
                onboards.append(
                    timed([CONNECTORY, "onboard", document, "--name", f"n{run}"], env, cwd)
                )
                inspects.append(timed([CONNECTORY, "inspect", document], env, cwd))
            before = env | {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"}  # as it was
            temporary = timed([sys.executable, "-c", TEMPORARY_SERVER, document], before, cwd)
        finally:
            subprocess.run([CONNECTORY, "server", "stop"], env=env, cwd=cwd, check=False)
    onboard, inspect = statistics.median(onboards), statistics.median(inspects)
    print(f"document: {Path(document).name}; load average {os.getloadavg()[0]:.1f}")
    rows = [
        ("onboard, first (starts the local server)", first),
        (f"onboard, again (median of {given.runs})", onboard),
        (f"inspect (median of {given.runs})", inspect),
        ("onboard on Prefect's temporary server (before)", temporary),
    ]
    for label, seconds in rows:
        print(f"{label:<50} {seconds:7.2f} s")
    print(f"onboard - inspect: {onboard - inspect:+.2f} s (target: at most +2 s)")
    print(f"temporary server / onboard again: {temporary / onboard:.1f}x")


if __name__ == "__main__":
    main()
