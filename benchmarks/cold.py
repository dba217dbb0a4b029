"""Benchmark: cold starts, each in a fresh process: ``import connectory`` and the commands.

    .venv/bin/python benchmarks/cold.py [RUNS] [--small]

A catalogue in a temporary folder holds one stored version: GitHub's GraphQL schema
(``../shared/corpus/graphql/github``, 1,600 definitions; without the corpus, the small
``tests/fixtures/graphql/shop.graphql``, and with ``--small``: what a command costs beyond the
size of the version). A loopback server (a process of its own) answers its
GraphQL action. Timed, each in a new Python process, RUNS times (default 5) taking turns:

- the peers: ``python -c pass`` (the interpreter's start), ``import httpx``, ``import jsonschema``
  (which builds rfc3987_syntax's grammar when the notebooks' dependencies installed it);
- ``import connectory``, ``connectory --help``, ``connectory list``,
  ``connectory show NAME@VERSION --json``, ``connectory invoke NAME@VERSION ACTION --server URL``.

The first (untimed) run of each writes the bytecode of what it imports (``PYTHONPYCACHEPREFIX``,
in the temporary folder), as an installed package has it: a cold start is a new process, not a
first compilation. Each row is the median wall time and the median CPU time (user + system of
the child), the ratios of the wall time to ``python -c pass`` and to ``import httpx``, and of the
CPU time to ``import httpx`` (on a busy machine the wall time waits for a CPU, the CPU time
does not). The targets: ``import connectory`` at most 0.5 s; ``show``, ``list`` and ``invoke``
at most 1 s.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT.parent / "shared/corpus/graphql/github/schema-15.25.0.json"
SHOP = ROOT / "tests/fixtures/graphql/shop.graphql"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    answer = b"{}"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(port: Any, answer: bytes) -> None:
    _Handler.answer = answer
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port.value = server.server_port
    server.serve_forever()


def _store(folder: Path, small: bool) -> tuple[str, str, str, bytes]:
    """A catalogue in ``folder`` with one version: its URL, ``NAME@VERSION``, an action of it
    and what the loopback server answers for it."""
    from connectory import Catalog, inspect

    if GITHUB.is_file() and not small:
        source, name, action, data = GITHUB, "gh", "licenses", {"licenses": []}
    else:
        source, name, action, data = SHOP, "shop", "version", {"version": "1"}
    version = inspect(str(source), protocol="graphql", connector=name)
    url = f"sqlite:///{folder / 'connectory.db'}"
    catalog = Catalog.open(url)
    try:
        drafted = catalog.draft(version)
    finally:
        catalog.close()
    ref = f"{name}@{drafted.version.version}"
    return url, ref, action, json.dumps({"data": data}).encode()


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of ``argv`` in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(runs: int, small: bool) -> None:
    python = sys.executable
    command = [python, "-m", "connectory_cli"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, ref, action, answer = _store(folder, small)
        port: Any = multiprocessing.Value("i", 0)
        server = multiprocessing.Process(target=_serve, args=(port, answer), daemon=True)
        server.start()
        while not port.value:
            time.sleep(0.01)
        env = dict(
            os.environ,
            CONNECTORY_DATABASE_URL=url,
            CONNECTORY_SECRETS_FILE=str(folder / "credentials.json"),
            PYTHONPYCACHEPREFIX=str(folder / "pycache"),
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode kept, as an installed package's
        cases = {
            "python -c pass": [python, "-c", "pass"],
            "import httpx": [python, "-c", "import httpx"],
            "import jsonschema": [python, "-c", "import jsonschema"],
            "import connectory": [python, "-c", "import connectory"],
            "connectory --help": [*command, "--help"],
            "connectory list": [*command, "list"],
            f"connectory show {ref} --json": [*command, "show", ref, "--json"],
            f"connectory invoke {ref} {action}": [
                *command,
                "invoke",
                ref,
                action,
                "--server",
                f"http://127.0.0.1:{port.value}/graphql",
            ],
        }
        for argv in cases.values():
            _run(argv, env)  # warm the file cache and the bytecode
        timings: dict[str, list[tuple[float, float]]] = {case: [] for case in cases}
        for _ in range(runs):
            for case, argv in cases.items():
                timings[case].append(_run(argv, env))
        server.terminate()
    walls = {case: statistics.median(w for w, _ in found) for case, found in timings.items()}
    cpus = {case: statistics.median(c for _, c in found) for case, found in timings.items()}
    width = max(map(len, cases))
    source = GITHUB.name if GITHUB.is_file() and not small else SHOP.name
    print(f"{runs} runs each, medians; {ref} from {source}")
    print(
        f"{'':{width}}  {'wall s':>7}  {'CPU s':>6}  {'x pass':>7}  {'x httpx':>7}  {'CPU x httpx':>11}"
    )
    for case in cases:
        wall, cpu = walls[case], cpus[case]
        print(
            f"{case:{width}}  {wall:7.3f}  {cpu:6.3f}  {wall / walls['python -c pass']:7.1f}  "
            f"{wall / walls['import httpx']:7.2f}  {cpu / cpus['import httpx']:11.2f}"
        )


if __name__ == "__main__":
    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    main(int(numbers[0]) if numbers else 5, "--small" in sys.argv[1:])
