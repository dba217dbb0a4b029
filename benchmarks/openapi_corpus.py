"""Survey: ``connectory.inspect`` over every OpenAPI document of the shared corpus.

    .venv/bin/python benchmarks/openapi_corpus.py [CORPUS_OPENAPI_DIR]

Prints how many documents onboard (and the error of each that does not), the actions, triggers
and definitions they give, the findings by kind and severity, and the slowest documents. Each
document is inspected as ``connectory inspect`` does (fetch, parse, generate, validate); the
CPU time of each is measured, so a busy machine disturbs the figures less.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from connectory.errors import ConnectoryError
from connectory.onboarding import inspect

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus" / "openapi"
SUFFIXES = {".json", ".yaml", ".yml"}


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    documents = sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    if not documents:
        raise SystemExit(f"no OpenAPI documents under {folder}")
    kinds: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    failed: list[tuple[Path, str]] = []
    times: list[tuple[float, Path]] = []
    for number, path in enumerate(documents, 1):
        started = time.process_time()
        try:
            version = inspect(path)
        except ConnectoryError as error:
            failed.append((path, str(error)))
            continue
        finally:
            times.append((time.process_time() - started, path))
        totals.update(
            documents=1,
            actions=len(version.actions),
            triggers=len(version.triggers),
            definitions=len(version.definitions),
            auth_methods=len(version.auth_methods),
        )
        kinds.update((f.kind, f.severity) for f in version.findings)
        print(f"\r{number}/{len(documents)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print(f"{totals['documents']} of {len(documents)} documents onboard")
    for path, message in failed:
        print(f"  FAILED {path.relative_to(folder)}: {message}")
    print(
        f"{totals['actions']:,} actions, {totals['triggers']:,} triggers, "
        f"{totals['definitions']:,} definitions, {totals['auth_methods']:,} auth methods"
    )
    print("findings by kind:")
    for (kind, severity), count in sorted(kinds.items(), key=lambda item: -item[1]):
        print(f"  {kind:28} {severity:8} {count:6,}")
    print(f"CPU time: {sum(t for t, _ in times):.1f} s in all; slowest:")
    for seconds, path in sorted(times, reverse=True)[:5]:
        print(f"  {seconds:6.2f} s  {path.relative_to(folder)}")


if __name__ == "__main__":
    main()
