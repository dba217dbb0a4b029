"""Benchmark: huge and hostile documents, refused early and read within 10x their size in memory.

    .venv/bin/python benchmarks/huge.py [--keep FOLDER] [CASE ...]

Generates hostile documents (in a temporary folder, or ``--keep FOLDER``), each in two sizes:
over the limit that should refuse it (as an attacker would send it) and just under (the most a
default ``Settings`` lets through):

- ``openapi-over``: an OpenAPI YAML description with 150,000 operations (14 MB; the limit is
  ``max_operations``); ``openapi-under``: as many as the limit allows;
- ``introspection-over``: a GraphQL introspection result with 100,000 types (40 MB;
  ``max_types``); ``introspection-under``: as many as the limit allows;
- ``wsdl-over``: a WSDL with 50,000 operations (``max_operations``); ``wsdl-under``;

and reads the largest real ones of the shared corpus (``../shared/corpus``): GitHub's REST
description (JSON), Stripe's (YAML), GitHub's GraphQL introspection result, Workday's Human
Resources WSDL. For each, in a fresh Python process (imports done before measuring):

- ``connectory.inspect`` (fetch, parse, generate, validate: what ``connectory inspect`` and
  onboarding run): its outcome (the counts, or the error that refused it), wall-clock seconds and
  peak memory: how far the resident set grows at its peak (``VmHWM`` after resetting it, or else
  ``ru_maxrss``), and that peak over the document's size (the target: at most 10x);
- its peer on the same file, in another fresh process: reading it as its own users would (PyYAML's
  ``CSafeLoader`` for YAML, ``json.loads`` for JSON, graphql-core's ``build_client_schema`` after
  ``json.loads`` for an introspection result, ``lxml.etree.fromstring`` for a WSDL): the least any
  tool must spend to look at the document at all.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from timing import proc_status  # benchmarks/timing.py

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
REAL = {
    "github-rest": CORPUS / "openapi/apis-guru/github.com/api.github.com.json",
    "stripe-yaml": CORPUS / "openapi/stripe/spec3.yaml",
    "github-graphql": CORPUS / "graphql/github/schema-15.25.0.json",
    "workday-wsdl": CORPUS / "wsdl/workday/Human_Resources.wsdl",
}
MB = 1e6


# -- the hostile documents -----------------------------------------------------------------------


def openapi_yaml(operations: int) -> str:
    """An OpenAPI 3.0 description in YAML with ``operations`` operations (a path each), all
    sharing one small schema: what an attacker writes to make a reader build a lot from little."""
    lines = [
        "openapi: 3.0.3",
        "info: {title: huge, version: '1'}",
        "components:",
        "  schemas:",
        "    Item: {type: object, properties: {id: {type: integer}, name: {type: string}}}",
        "  responses:",
        "    Ok: {description: ok, content: {application/json: {schema: "
        "{$ref: '#/components/schemas/Item'}}}}",
        "paths:",
    ]
    for i in range(operations):
        lines.append(f"  /i{i}:")
        lines.append(
            f"    get: {{operationId: g{i}, responses: {{'200': {{$ref: '#/components/responses/Ok'}}}}}}"
        )
    return "\n".join(lines) + "\n"


def _field(name: str, type_name: str, kind: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": None,
        "args": [],
        "type": {"kind": kind, "name": type_name, "ofType": None},
        "isDeprecated": False,
        "deprecationReason": None,
    }


def introspection_json(types: int) -> str:
    """A GraphQL introspection result with ``types`` object types (each with a few fields, the
    next one among them) and a query type of ten fields."""
    listed: list[dict[str, Any]] = [
        {"kind": "SCALAR", "name": name, "description": None}
        for name in ("String", "Int", "Boolean", "ID")
    ]
    for i in range(types):
        fields = [
            _field("id", "ID", "SCALAR"),
            _field("next", f"T{(i + 1) % types}", "OBJECT"),
        ]
        listed.append(
            {
                "kind": "OBJECT",
                "name": f"T{i}",
                "description": None,
                "fields": fields,
                "inputFields": None,
                "interfaces": [],
                "enumValues": None,
                "possibleTypes": None,
            }
        )
    query = [_field(f"t{i}", f"T{i}", "OBJECT") for i in range(min(types, 10))]
    listed.append({"kind": "OBJECT", "name": "Query", "fields": query, "interfaces": []})
    schema = {"queryType": {"name": "Query"}, "types": listed, "directives": []}
    return json.dumps({"data": {"__schema": schema}}, separators=(",", ":"))


def wsdl_xml(operations: int) -> str:
    """A WSDL 1.1 with ``operations`` document/literal operations, each with its own request
    and response elements (of one shared type)."""
    tns = "urn:huge"
    elements, messages, port_ops, binding_ops = [], [], [], []
    for i in range(operations):
        elements.append(
            f'<xs:element name="Op{i}" type="t:Req"/><xs:element name="Op{i}Response" '
            'type="xs:string"/>'
        )
        messages.append(
            f'<message name="Op{i}In"><part name="p" element="t:Op{i}"/></message>'
            f'<message name="Op{i}Out"><part name="p" element="t:Op{i}Response"/></message>'
        )
        port_ops.append(
            f'<operation name="Op{i}"><input message="t:Op{i}In"/>'
            f'<output message="t:Op{i}Out"/></operation>'
        )
        binding_ops.append(
            f'<operation name="Op{i}"><soap:operation soapAction="urn:huge/Op{i}"/>'
            '<input><soap:body use="literal"/></input>'
            '<output><soap:body use="literal"/></output></operation>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:t="{tns}" '
        'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" '
        f'xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{tns}" name="Huge">'
        f'<types><xs:schema targetNamespace="{tns}" elementFormDefault="qualified">'
        '<xs:complexType name="Req"><xs:sequence><xs:element name="id" type="xs:int"/>'
        "</xs:sequence></xs:complexType>"
        + "".join(elements)
        + "</xs:schema></types>"
        + "".join(messages)
        + '<portType name="Port">'
        + "".join(port_ops)
        + '</portType><binding name="Binding" type="t:Port">'
        '<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>'
        + "".join(binding_ops)
        + '</binding><service name="Huge"><port name="P" binding="t:Binding">'
        '<soap:address location="http://localhost/huge"/></port></service></definitions>\n'
    )


def generated(folder: Path) -> dict[str, Path]:
    """Write the hostile documents into ``folder`` (once: kept files are reused)."""
    from connectory.settings import DEFAULT_SETTINGS as limits

    under_ops, under_types = limits.max_operations, limits.max_types
    makers: dict[str, tuple[str, Callable[[], str]]] = {
        "openapi-over": ("yaml", lambda: openapi_yaml(150_000)),
        "openapi-under": ("yaml", lambda: openapi_yaml(under_ops)),
        "introspection-over": ("json", lambda: introspection_json(100_000)),
        # the query type is one more type: the last one the limit allows
        "introspection-under": ("json", lambda: introspection_json(under_types - 5)),
        "wsdl-over": ("wsdl", lambda: wsdl_xml(50_000)),
        "wsdl-under": ("wsdl", lambda: wsdl_xml(under_ops // 2)),
    }
    paths = {}
    for name, (suffix, make) in makers.items():
        path = folder / f"{name}.{suffix}"
        if not path.exists():
            path.write_text(make(), encoding="utf-8")
        paths[name] = path
    return paths


# -- what runs in a child process ----------------------------------------------------------------


def _operation(kind: str, path: Path) -> Callable[[], str]:
    """The operation to measure (its imports made before it is timed): it returns its outcome."""
    if kind == "inspect":
        from connectory.errors import ConnectoryError
        from connectory.onboarding import inspect

        def run() -> str:
            try:
                version = inspect(path)
            except ConnectoryError as error:
                return f"refused: {error}"
            return (
                f"{len(version.actions)} actions, {len(version.definitions)} definitions, "
                f"{len(version.findings)} findings"
            )

        return run
    if kind == "peer":
        return _peer(path)
    raise SystemExit(f"unknown kind {kind}")


def _peer(path: Path) -> Callable[[], str]:
    if path.suffix == ".wsdl":
        from lxml import etree

        def xml() -> str:
            root = etree.fromstring(path.read_bytes(), etree.XMLParser(huge_tree=True))
            return f"lxml: {sum(1 for _ in root.iter())} elements"

        return xml
    if path.suffix in (".yaml", ".yml"):
        import yaml

        def yaml_load() -> str:
            value = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            return f"PyYAML CSafeLoader: {len(value.get('paths') or {})} paths"

        return yaml_load
    import graphql

    def json_load() -> str:
        value = json.loads(path.read_bytes())
        schema = value.get("data", value).get("__schema") if isinstance(value, dict) else None
        if schema is None:
            return f"json.loads: {len(value.get('paths') or {})} paths"
        built = graphql.build_client_schema(value.get("data", value))
        return f"build_client_schema: {len(built.type_map)} types"

    return json_load


def child(kind: str, path: Path) -> dict[str, Any]:
    """Run ``kind`` on ``path`` once: its outcome, seconds and peak resident-set growth."""
    operation = _operation(kind, path)
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # reset VmHWM: the imports' own peak must not hide the operation's
        before, peak = proc_status("VmRSS"), lambda: proc_status("VmHWM")
    except OSError:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # noqa: E731
    started = time.perf_counter()
    outcome = operation()
    seconds = time.perf_counter() - started
    return {"outcome": outcome, "seconds": seconds, "rss": peak() - before}


# -- the parent: run the children, print the table -------------------------------------------------


def _run_child(kind: str, path: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {
            "outcome": f"failed: {done.stderr.strip().splitlines()[-1:]}",
            "seconds": 0,
            "rss": 0,
        }
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench(name: str, path: Path) -> None:
    size = path.stat().st_size
    print(f"\n{name}: {path.name}, {size / MB:.1f} MB")
    for kind in ("inspect", "peer"):
        row = _run_child(kind, path)
        outcome = row["outcome"]
        outcome = outcome if len(outcome) <= 150 else outcome[:147] + "..."
        print(
            f"  {kind:8} {row['seconds']:7.2f} s  peak {row['rss'] / MB:7.1f} MB "
            f"{row['rss'] / size:5.1f}x size  {outcome}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("cases", nargs="*", help="only these (default: all)")
    parser.add_argument("--keep", type=Path, help="write (and reuse) the documents here")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help="internal")
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        print(json.dumps(child(kind, Path(path))))
        return
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        cases = {**generated(folder), **{k: v for k, v in REAL.items() if v.is_file()}}
        for name, path in cases.items():
            if not args.cases or name in args.cases:
                bench(name, path)


if __name__ == "__main__":
    main()
