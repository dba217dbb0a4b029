"""Benchmark: onboarding large WSDLs, against zeep and xmlschema loading the same files.

    .venv/bin/python benchmarks/soap_onboard.py [WSDL ...]

Default documents: Workday Human_Resources (3.2 MB, 148 operations) and Salesforce's enterprise
WSDL (0.4 MB, two inline schemas). For each, in one run on this machine:

- ``connectory.inspect`` (fetch, parse, generate, validate: what ``connectory inspect`` does) and
  its steps, medians of a few runs;
- ``zeep.Client(wsdl)`` (zeep reads local files with its default transport), the peer for load
  time; the target is inspect within 2x of it;
- ``xmlschema``'s ``Wsdl11Document`` (a full XSD compile of the WSDL's schemas), once;
- ``connectory.protocols.soap.compile_xsd`` (the lenient xmlschema compile of the version's XSDs
  that the XML round-trip check and the vetting use; not on the inspect path), once.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from timing import median_time, timed  # benchmarks/timing.py

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "wsdl"
DEFAULTS = [CORPUS / "workday" / "Human_Resources.wsdl", CORPUS / "salesforce" / "enterprise.wsdl"]


def bench(document: Path) -> list[tuple[str, float, str]]:
    import xmlschema
    import zeep
    from xmlschema.extras.wsdl import Wsdl11Document

    from connectory import inspect
    from connectory.documents.fetch import fetch
    from connectory.documents.parse import parse
    from connectory.onboarding import generate, validated
    from connectory.vetting.xsd import compile_xsd

    raw = fetch(document)
    parsed = parse(raw)
    generated = generate(parsed)
    zeep_load = median_time(lambda: zeep.Client(str(document)), 3)
    inspect_time = median_time(lambda: inspect(document), 3)
    rows = [
        ("  fetch + parse (detect)", median_time(lambda: parse(fetch(document))), ""),
        ("  generate", median_time(lambda: generate(parsed), 3), ""),
        ("  validate", median_time(lambda: validated(generated), 3), ""),
        ("connectory.inspect (all)", inspect_time, f"{inspect_time / zeep_load:.2f}x zeep"),
        ("zeep.Client(wsdl)", zeep_load, "1.00x zeep"),
    ]
    started = time.perf_counter()
    try:
        Wsdl11Document(str(document), validation="lax")
        outcome = ""
    except xmlschema.XMLSchemaException as error:
        outcome = f", failed: {str(error).splitlines()[0][:60]}"
    full = time.perf_counter() - started
    rows.append(("xmlschema Wsdl11Document (lax)", full, f"{full / zeep_load:.1f}x zeep{outcome}"))
    compiled = timed(lambda: compile_xsd(generated))
    rows.append(
        ("compile_xsd(version) (lax, off path)", compiled, f"{compiled / zeep_load:.1f}x zeep")
    )
    return rows


def main() -> None:
    documents = [Path(arg) for arg in sys.argv[1:]] or DEFAULTS
    for document in documents:
        if not document.is_file():
            raise SystemExit(f"no such WSDL: {document}")
        print(f"\n{document.name}: {document.stat().st_size / 1e6:.1f} MB")
        rows = bench(document)
        width = max(len(name) for name, _, _ in rows)
        print(f"{'step':<{width}}  {'seconds':>8}  ratio")
        for name, seconds, ratio in rows:
            print(f"{name:<{width}}  {seconds:8.3f}  {ratio}")


if __name__ == "__main__":
    main()
