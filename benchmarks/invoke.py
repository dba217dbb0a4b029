"""Benchmark: the cost of ``connectory.runtime.invoke`` per call, against plain httpx.

    .venv/bin/python benchmarks/invoke.py [CALLS]

A loopback server (a separate process, HTTP/1.1 keep-alive, so that its CPU is not counted)
answers every GET with a small JSON body that fits the action's output schema. For a small
document (``examples/openapi/1password-connect.json``, ``GetVaultById`` with a bearer token) and
for GitHub's REST description (``emojis/get``, thousands of definitions), in one run:

- ``httpx.Client.get`` on one client reused for every call (the floor);
- ``invoke`` with its default arguments (no client given: it shares one per connector);
- ``invoke`` given the same client as the floor.

Each row is the median wall time and the CPU (``time.process_time``) per call over CALLS calls
(default 300; the three take turns, a tenth of them at a time), after a few warm-up calls, and
the ratios to httpx. The target: ``invoke`` at most
1.5x httpx's CPU per call with its default arguments, for both documents.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "examples/openapi/1password-connect.json"
GITHUB = ROOT.parent / "shared/corpus/openapi/apis-guru/github.com/api.github.com.json"
ANSWERS = {
    "/vaults/": {"id": "ytrfte14kw1uex5txaore1emkz", "name": "Demo"},
    "/emojis": {"+1": "https://github.githubassets.com/images/icons/emoji/unicode/1f44d.png"},
}
WARM_UP = 20


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real API
    wbufsize = 1 << 16  # headers and body in one write (else delayed ACKs cost 40 ms a call)

    def do_GET(self) -> None:
        found = next((v for k, v in ANSWERS.items() if self.path.startswith(k)), {})
        body = json.dumps(found).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(port: Any) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port.value = server.server_port
    server.serve_forever()


def per_call(
    fns: list[Callable[[], object]], calls: int, rounds: int = 10
) -> list[tuple[float, float]]:
    """For each of ``fns``: the median wall seconds and the mean CPU seconds of one call.

    The functions take turns, ``calls / rounds`` calls at a time, so that a change in the
    machine's load weighs on each alike."""
    for fn in fns:
        for _ in range(WARM_UP):
            fn()
    walls: list[list[float]] = [[] for _ in fns]
    cpu = [0.0 for _ in fns]
    each = max(1, calls // rounds)
    for _ in range(rounds):
        for n, fn in enumerate(fns):
            cpu_started = time.process_time()
            for _ in range(each):
                started = time.perf_counter()
                fn()
                walls[n].append(time.perf_counter() - started)
            cpu[n] += time.process_time() - cpu_started
    return [(statistics.median(w), c / len(w)) for w, c in zip(walls, cpu, strict=True)]


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    import httpx
    from pydantic import SecretStr

    from connectory import inspect
    from connectory.runtime import invoke

    port = multiprocessing.Value("i", 0)
    server = multiprocessing.Process(target=_serve, args=(port,), daemon=True)
    server.start()
    while not port.value:
        time.sleep(0.01)
    base = f"http://127.0.0.1:{port.value}"
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {calls} calls each")
    vault = "ytrfte14kw1uex5txaore1emkz"
    cases = [
        (SMALL, "GetVaultById", {"path": {"vaultUuid": vault}}, f"/vaults/{vault}", True),
        (GITHUB, "emojis/get", {}, "/emojis", False),
    ]
    token = "bench-token"
    try:
        with httpx.Client() as client:
            for document, action, given, path, bearer in cases:
                credentials = {"ConnectToken": {"token": SecretStr(token)}} if bearer else {}
                version = inspect(document)
                print(f"\n{document.name}: {len(version.definitions)} definitions, {action}")
                headers = {"Authorization": f"Bearer {token}"} if bearer else {}

                def plain(path: str = path, headers: dict[str, str] = headers) -> None:
                    client.get(base + path, headers=headers).read()

                def default(version: Any = version, action: str = action, given: Any = given, credentials: Any = credentials) -> None:  # fmt: skip
                    done = invoke(version, action, given, credentials=credentials, server=base, trusted_origins=[base])  # fmt: skip
                    assert done.status == 200, done
                    assert not done.problems, done

                def shared(version: Any = version, action: str = action, given: Any = given, credentials: Any = credentials) -> None:  # fmt: skip
                    invoke(version, action, given, credentials=credentials, server=base, trusted_origins=[base], client=client)  # fmt: skip

                labels = [
                    "httpx.Client.get (floor)",
                    "invoke (default arguments)",
                    "invoke (client=the same)",
                ]
                measured = per_call([plain, default, shared], calls)
                rows = [(label, *m) for label, m in zip(labels, measured, strict=True)]
                floor_wall, floor_cpu = measured[0]
                for label, wall, cpu in rows:
                    print(
                        f"  {label:28} {wall * 1e3:7.3f} ms  ({wall / floor_wall:4.2f}x)   "
                        f"CPU {cpu * 1e3:7.3f} ms  ({cpu / floor_cpu:4.2f}x)"
                    )
    finally:
        server.terminate()
        server.join()
    print(f"\nload average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
