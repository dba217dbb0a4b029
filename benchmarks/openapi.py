"""Benchmark: ``connectory.inspect`` on large OpenAPI descriptions, against the floor and a peer.

    .venv/bin/python benchmarks/openapi.py [--runs N] [DOCUMENT ...]

Documents default to GitHub's ``api.github.com.json`` (5.7 MB) and Stripe's ``spec3.yaml`` (4.2 MB)
from ``../shared/corpus/openapi``. For each, in one run on this machine, every figure measured in
a fresh Python process (so each starts equal, with its imports done):

- ``json.loads``: the floor. For a YAML document, of the same document written as JSON.
- ``inspect``: fetch + parse + generate + validate (what ``connectory inspect`` runs), and its
  steps. The first call in the process (cold) and the median of the next ``N`` (warm).
- ``openapi-spec-validator``: reading the file as its users do (``json.loads``, or PyYAML's
  ``CSafeLoader``) and validating it, once (it is slow): ``validate`` stops at the first error, so
  its validator's ``iter_errors`` is run to the end instead (the same work for a valid document).
- Peak memory of each, two ways: how far the resident set grows over what it was after the
  imports, at its peak (``VmHWM`` after resetting it, or else ``ru_maxrss``), and
  ``tracemalloc``'s peak (in another process: tracing slows it down).

Times are wall-clock seconds (cold, warm median) and the warm median of CPU seconds: the load
average is printed because the machine may be shared, and CPU time suffers less from it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from timing import median_time, proc_status  # benchmarks/timing.py

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "openapi"
DEFAULTS = [CORPUS / "apis-guru/github.com/api.github.com.json", CORPUS / "stripe/spec3.yaml"]
MiB = 1024 * 1024


# -- what runs in a child process ----------------------------------------------------------------


def _operation(kind: str, path: Path) -> Any:
    """The operation to measure (its imports and inputs made before it is timed)."""
    if kind == "floor":
        text = path.read_bytes()  # a JSON file (for a YAML document: the same, as JSON)
        return lambda: json.loads(text)
    if kind == "inspect":
        from connectory.onboarding import inspect

        return lambda: inspect(path)
    if kind == "osv":
        import yaml
        from jsonschema_path import SchemaPath
        from openapi_spec_validator.shortcuts import get_validator_cls

        def read_and_validate() -> int:
            """What ``openapi_spec_validator.validate`` does, but to the end: every error."""
            if path.suffix == ".json":
                spec = json.loads(path.read_bytes())
            else:
                spec = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            validator = get_validator_cls(spec)(SchemaPath.from_dict(spec))
            return sum(1 for _ in validator.iter_errors())

        return read_and_validate
    raise SystemExit(f"unknown kind {kind}")


def _steps(path: Path, runs: int) -> dict[str, float]:
    from connectory.documents.fetch import fetch
    from connectory.documents.parse import parse
    from connectory.onboarding import generate, validated

    raw = fetch(path)
    parsed = parse(raw)
    generated = generate(parsed)
    result = {}
    for name, step in (
        ("parse", lambda: parse(raw)),
        ("generate", lambda: generate(parsed)),
        ("validate", lambda: validated(generated)),
    ):
        result[name] = median_time(step, runs)
    return result


def _peak_rss_growth(operation: Any) -> int:
    """How far the resident set grows above what it is before ``operation``, at its peak.

    The process's peak is reset first (``/proc/self/clear_refs``), so that the imports' own
    transient peak does not hide the operation's. Without it: the growth of ``ru_maxrss``.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        before = proc_status("VmRSS")
        operation()
        return proc_status("VmHWM") - before
    except OSError:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        operation()
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before


def child(kind: str, path: Path, measure: str, runs: int) -> dict[str, Any]:
    operation = _operation(kind, path)
    if measure == "rss":
        return {"rss": _peak_rss_growth(operation)}
    if measure == "trace":
        tracemalloc.start()
        operation()
        return {"traced": tracemalloc.get_traced_memory()[1]}
    started, cpu = time.perf_counter(), time.process_time()
    outcome = operation()
    cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
    warm, warm_cpu = [], []
    for _ in range(runs if kind != "osv" else 0):
        started, cpu = time.perf_counter(), time.process_time()
        operation()
        warm.append(time.perf_counter() - started)
        warm_cpu.append(time.process_time() - cpu)
    result: dict[str, Any] = {
        "cold": cold,
        "warm": statistics.median(warm) if warm else cold,
        "cpu": statistics.median(warm_cpu) if warm_cpu else cold_cpu,
        "cold_cpu": cold_cpu,
    }
    if kind == "osv":
        result["errors"] = outcome
    if kind == "inspect":
        result["findings"] = len(outcome.findings)
    if kind == "inspect":
        result["steps"] = _steps(path, runs)
    return result


# -- the parent: run the children, print the table -------------------------------------------------


def _run_child(kind: str, path: Path, measure: str, runs: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, measure, str(path), "--runs", str(runs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} {measure} on {path.name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


def bench(path: Path, runs: int) -> None:
    size = path.stat().st_size
    print(f"\n{path.relative_to(CORPUS) if CORPUS in path.parents else path}: {_mb(size)}")
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        as_json = path
        if path.suffix != ".json":
            import yaml

            value = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            as_json = Path(folder) / f"{path.stem}.json"
            as_json.write_text(json.dumps(value))
        for kind in ("floor", "inspect", "osv"):
            source = as_json if kind == "floor" else path
            figures[kind] = {
                **_run_child(kind, source, "time", runs),
                **_run_child(kind, source, "rss", runs),
                **_run_child(kind, source, "trace", runs),
            }
    floor, inspect, osv = figures["floor"]["warm"], figures["inspect"], figures["osv"]["cold"]
    rows = [
        ("json.loads (floor)", figures["floor"]),
        ("connectory inspect", inspect),
        ("openapi-spec-validator", figures["osv"]),
    ]
    print(
        f"  {'':24} {'cold s':>8} {'warm s':>8} {'cpu s':>8} {'x floor':>8}  {'peak RSS':>16}  "
        f"{'tracemalloc':>16}"
    )
    for name, row in rows:
        print(
            f"  {name:24} {row['cold']:8.3f} {row['warm']:8.3f} {row['cpu']:8.3f} "
            f"{row['warm'] / floor:8.1f}  "
            f"{_mb(row['rss']):>9} {row['rss'] / size:5.1f}x  "
            f"{_mb(row['traced']):>9} {row['traced'] / size:5.1f}x"
        )
    steps = "  ".join(f"{name} {seconds:.3f}" for name, seconds in inspect["steps"].items())
    print(f"  inspect steps (warm, s): {steps}")
    osv_cpu = figures["osv"]["cold_cpu"]
    print(
        f"  openapi-spec-validator / inspect: {osv / inspect['cold']:.0f}x (cold), "
        f"{osv / inspect['warm']:.0f}x (warm), {osv_cpu / inspect['cold_cpu']:.0f}x (cold, CPU "
        f"time: less disturbed by a busy machine); it reports {figures['osv']['errors']} errors, "
        f"inspect {inspect['findings']} findings"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5, help="warm runs (median)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "MEASURE", "PATH"), help="internal")
    args = parser.parse_args()
    if args.child:
        kind, measure, path = args.child
        print(json.dumps(child(kind, Path(path), measure, args.runs)))
        return
    documents = args.documents or DEFAULTS
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}; python {sys.version.split()[0]}")
    for path in documents:
        if not path.is_file():
            raise SystemExit(f"no such document: {path} (the shared corpus beside the repository?)")
        bench(path.resolve(), args.runs)


if __name__ == "__main__":
    main()
