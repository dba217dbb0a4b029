"""Benchmark: CPU per document of a batch, in process against a Prefect deployment on workers.

    .venv/bin/python benchmarks/scale.py [N] [--workers 1,2]

Takes N (default 200) documents of ../shared/corpus/openapi/apis-guru (in path order, none over
2 MB), served over loopback by a separate process, and stores them in a fresh PostgreSQL schema
(CONNECTORY_BENCH_POSTGRESQL_URL, default the tests' ``postgresql+psycopg://postgres@127.0.0.1:5432/test``):

- the floor: ``connectory.inspect`` then ``Catalog.draft``, one document after the other, in this
  process (its CPU, and that of the PostgreSQL backends it used);
- a team's deployment: a Prefect server started here, the pool and deployments made by the
  README's commands (``prefect work-pool create``, ``prefect deploy``), 1 and then 2 process
  workers (``--limit 1``), the ``onboard-batch`` deployment run as a team runs it (its groups
  spread over the workers): CPU of the workers and the flow runs they started, of the Prefect
  server (and its children), and of the PostgreSQL backends of the run (``application_name``),
  read from /proc with psutil; and wall time.

Prints milliseconds of CPU per document for each part and the ratio of the total to the floor
(the target: at most 2).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import psutil
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared/corpus/openapi/apis-guru"
BIN = Path(sys.executable).parent
APP = "connectory-scale-bench"
MAX_BYTES = 2_000_000
WORKER = [str(BIN / "prefect"), "worker", "start", "--pool", "connectory", "--type", "process"]
WORKER += ["--limit", "1", "--name"]  # as the README says


def documents(count: int) -> list[Path]:
    found = sorted(
        path
        for path in CORPUS.rglob("*")
        if path.suffix in (".json", ".yaml", ".yml") and path.stat().st_size <= MAX_BYTES
    )
    return found[:count]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[psutil.Process]:
    """A child process in its own session, ended (with its children) when the block ends."""
    with log.open("w") as out:
        child = subprocess.Popen(
            args,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=log.parent,
        )
    try:
        yield psutil.Process(child.pid)
    finally:
        try:
            os.killpg(child.pid, 15)
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, 9)
            child.wait()
        except ProcessLookupError:
            pass


def tree_cpu(proc: psutil.Process) -> float:
    """CPU seconds of ``proc``, its ended children (waited for) and its live descendants."""
    total = 0.0
    try:
        times = proc.cpu_times()
        total += times.user + times.system + times.children_user + times.children_system
        for child in proc.children(recursive=True):
            try:
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
            except psutil.NoSuchProcess:
                pass
    except psutil.NoSuchProcess:
        pass
    return total


class Backends:
    """CPU of the PostgreSQL backends whose application_name is ``APP``, sampled while they live."""

    def __init__(self, admin: sa.Engine) -> None:
        self.admin = admin
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self) -> None:
        with self.admin.connect() as connection:
            while not self.stop.is_set():
                pids = connection.execute(
                    sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :a"),
                    {"a": APP},
                ).scalars()
                connection.commit()
                for pid in pids:
                    try:
                        times = psutil.Process(pid).cpu_times()
                        self.seen[pid] = times.user + times.system
                    except psutil.NoSuchProcess:
                        pass
                self.stop.wait(0.2)

    def __enter__(self) -> Backends:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()

    @property
    def cpu(self) -> float:
        return sum(self.seen.values())


@contextmanager
def schema(base: str) -> Iterator[tuple[str, sa.Engine]]:
    """A fresh schema's URL (with ``application_name``), dropped afterwards; and an admin engine."""
    url = sa.make_url(base)
    admin = sa.create_engine(url, poolclass=sa.NullPool)
    name = f"connectory_bench_{secrets.token_hex(4)}"
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    query = {"options": f"-csearch_path={name}", "application_name": APP}
    try:
        yield url.update_query_dict(query).render_as_string(hide_password=False), admin
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def floor(urls: list[str], database: str, admin: sa.Engine) -> dict[str, float]:
    from connectory import Catalog, inspect

    failed = 0
    with Backends(admin) as backends:
        started = time.process_time()
        wall = time.perf_counter()
        with Catalog.open(database) as catalog:
            for url in urls:
                try:
                    catalog.draft(inspect(url))
                except Exception:
                    failed += 1
        cpu = time.process_time() - started
        wall = time.perf_counter() - wall
    return {"this process": cpu, "PostgreSQL": backends.cpu, "wall": wall, "failed": failed}


def prefect(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "prefect"), *args], env=env, cwd=cwd, check=True, capture_output=True, text=True
    )


def deployed(
    urls: list[str], database: str, admin: sa.Engine, workers: int, tmp: Path
) -> dict[str, Any]:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp / f"prefect-{workers}"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "CONNECTORY_DATABASE_URL": database,
    }
    Path(env["PREFECT_HOME"]).mkdir()
    server_args = [
        str(BIN / "prefect"),
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with ExitStack() as stack:
        server = stack.enter_context(process(server_args, env, tmp / f"server-{workers}.log"))
        import httpx

        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the Prefect server did not start")
            time.sleep(1)
        prefect(env, "work-pool", "create", "connectory", "--type", "process", "--overwrite")
        prefect(env, "--no-prompt", "deploy", "--name", "onboard-batch", "--name", "onboard-group")
        procs = [
            stack.enter_context(
                process(
                    [*WORKER, f"w{n}"],
                    env,
                    tmp / f"worker-{workers}-{n}.log",
                )
            )
            for n in range(workers)
        ]
        deadline = time.monotonic() + 300
        while online(api) < workers:  # the batch makes one group per online worker
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not come online")
            time.sleep(2)
        before = {"server": tree_cpu(server), "workers": sum(tree_cpu(p) for p in procs)}
        with Backends(admin) as backends:
            wall = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", RUN, *urls], env=env, capture_output=True, text=True
            )
            wall = time.perf_counter() - wall
        after = {"server": tree_cpu(server), "workers": sum(tree_cpu(p) for p in procs)}
    return {
        "workers (and their flow runs)": after["workers"] - before["workers"],
        "Prefect server": after["server"] - before["server"],
        "PostgreSQL": backends.cpu,
        "wall": wall,
        "state": done.stdout.strip() or done.stderr.strip()[-300:],
    }


def online(api: str) -> int:
    import httpx

    answer = httpx.post(f"{api}/work_pools/connectory/workers/filter", json={}, timeout=30)
    return sum(worker.get("status") == "ONLINE" for worker in answer.json())


RUN = """
import sys
from prefect.deployments import run_deployment
run = run_deployment("onboard-batch/onboard-batch", parameters={"sources": sys.argv[1:]},
                     timeout=3600, poll_interval=1)
print(run.state.name, run.state.message or "")
"""


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 200
    counts = [1, 2]
    if "--workers" in sys.argv:
        counts = [int(n) for n in sys.argv[sys.argv.index("--workers") + 1].split(",")]
    base = os.environ.get(
        "CONNECTORY_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    paths = documents(count)
    port = free_port()
    files = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=CORPUS,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    urls = [f"http://127.0.0.1:{port}/{path.relative_to(CORPUS).as_posix()}" for path in paths]
    print(f"{len(urls)} APIs.guru documents, served over loopback; CPU ms per document")
    rows: list[tuple[str, dict[str, Any]]] = []
    try:
        with schema(base) as (database, admin):
            rows.append(("in process (inspect + draft)", floor(urls, database, admin)))
        with tempfile.TemporaryDirectory() as folder:
            for workers in counts:
                with schema(base) as (database, admin):
                    figures = deployed(urls, database, admin, workers, Path(folder))
                rows.append((f"Prefect server + {workers} process worker(s)", figures))
    finally:
        files.terminate()
    floor_total = None
    for label, figures in rows:
        parts = {k: v for k, v in figures.items() if k not in ("wall", "failed", "state")}
        total = sum(parts.values())
        floor_total = floor_total or total
        shown = ", ".join(f"{k} {1000 * v / len(urls):.0f}" for k, v in parts.items())
        print(
            f"{label}: {1000 * total / len(urls):.0f} ms/doc ({shown}); "
            f"{total / floor_total:.2f}x the floor; wall {figures['wall']:.1f} s"
            + (f"; {figures['state']}" if "state" in figures else "")
            + (f"; {figures['failed']} failed" if "failed" in figures else "")
        )


if __name__ == "__main__":
    main()
