"""A full XSD compile of a version's schemas with xmlschema: the vetting check, off the fast path.

Onboarding never compiles the XSDs with xmlschema (Workday's 3 MB WSDL takes ~11 s); the mirror
comes from ``xsd.py``'s fast walk. ``compile_xsd(version)`` does the full, lenient compile once,
when asked: it writes the version's XSD definitions into a temporary folder laid out as their
names say (so their relative imports resolve as they did), maps the well-known schemas' URLs and
namespaces to local copies, and builds with ``validation="lax"``, ``allow="sandbox"`` (nothing
outside that folder, no network) and ``defuse="always"``. What xmlschema reports (a Unique Particle
Attribution violation, an unknown type, a failed import) becomes findings of kind ``xsd-error`` and
``xsd-warning``.

``check_round_trip`` then proves the mirror on a real operation: JSON -> SOAP envelope
(``convert.py``), each document-style part validated by the compiled schema, and back to JSON.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from connectory.model.version import ConnectorVersion, Finding, SoapBinding
from connectory.protocols.soap import _standard as catalogue
from connectory.protocols.soap._names import namespace_of
from connectory.protocols.soap._resolver import is_url
from connectory.runtime.soap.convert import MessageConverter

if TYPE_CHECKING:
    import xmlschema

__all__ = ["RoundTrip", "check_round_trip", "compile_xsd"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _file_name(name: str) -> str:
    return "/".join(_UNSAFE.sub("_", part) or "_" for part in name.split("/"))


def _layout(
    version: ConnectorVersion, root: Path
) -> tuple[list[Path], dict[str, str], dict[str, str], dict[Path, str]]:
    """Write the XSD definitions under ``root``: (sources, uri map, namespace locations, names)."""
    xsds = [d for d in version.definitions if d.format == "xsd" and isinstance(d.content, str)]
    depth = max((d.name.count("../") for d in xsds if not is_url(d.name)), default=0)
    base = root.joinpath(*(["b"] * depth)) if depth else root
    sources: list[Path] = []
    mapping: dict[str, str] = {}
    locations: dict[str, str] = {}
    names: dict[Path, str] = {}
    for number, definition in enumerate(xsds):
        well_known = catalogue.find(definition.name) if is_url(definition.name) else None
        if is_url(definition.name):
            path = root / "absolute" / f"{number}.xsd"
        else:
            relative = definition.name.replace("#", ".") + (
                ".xsd" if "#" in definition.name else ""
            )
            path = (base / _file_name(relative)).resolve()
            if not path.is_relative_to(root):
                path = root / "outside" / f"{number}.xsd"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(str(definition.content), encoding="utf-8")
        names[path] = definition.name
        if well_known is not None:
            for url in (well_known.url, *well_known.aliases):
                mapping[url] = path.as_uri()
                mapping[url.replace("http://", "https://", 1)] = path.as_uri()
            locations[well_known.namespace] = path.as_uri()
        else:
            if is_url(definition.name):
                mapping[definition.name] = path.as_uri()
            sources.append(path)
    for entry in catalogue.WELL_KNOWN:
        if entry.namespace not in locations:
            path = root / "catalogue" / Path(entry.path).name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(entry.read())
            names[path] = entry.url
            locations[entry.namespace] = path.as_uri()
            for url in (entry.url, *entry.aliases):
                mapping[url] = path.as_uri()
                mapping[url.replace("http://", "https://", 1)] = path.as_uri()
    return sources, mapping, locations, names


def compile_xsd(version: ConnectorVersion) -> tuple[xmlschema.XMLSchema, list[Finding]]:
    """The version's XSDs compiled by xmlschema (lax), and what it reported, as findings."""
    import xmlschema

    with tempfile.TemporaryDirectory(prefix="connectory-xsd-") as folder:
        root = Path(folder).resolve()
        sources, mapping, locations, names = _layout(version, root)
        if not sources:
            raise ValueError(f"{version.ref} has no XSD definitions to compile")

        def mapper(url: str) -> str:
            return mapping.get(url, url)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            schema = xmlschema.XMLSchema(
                [str(path) for path in sources],
                validation="lax",
                base_url=str(root),
                allow="sandbox",
                defuse="always",
                uri_mapper=mapper,
                locations=list(locations.items()),
                use_fallback=False,
            )
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()

    def where(url: str | None, line: int | None) -> str:
        for path, name in names.items():
            if url and url.split("://", 1)[-1] == path.as_uri().split("://", 1)[-1]:
                return f"{name}:{line}" if line else name
        return version.source

    for error in [*schema.maps.all_errors, *schema.all_errors]:
        url = getattr(error, "schema_url", None) or getattr(error, "origin_url", None)
        location = where(url, getattr(error, "sourceline", None))
        message = " ".join(str(error.message).split())
        if ("xsd-error", message + location) not in seen:
            seen.add(("xsd-error", message + location))
            findings.append(
                Finding(severity="error", kind="xsd-error", location=location, message=message)
            )
    for warning in [*schema.warnings, *(str(w.message) for w in caught)]:
        message = " ".join(str(warning).replace(str(root), "").split())
        if ("xsd-warning", message) not in seen:
            seen.add(("xsd-warning", message))
            findings.append(
                Finding(
                    severity="warning", kind="xsd-warning", location=version.source, message=message
                )
            )
    return schema, findings


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """JSON -> XML -> JSON for one message of one action."""

    xml: etree._Element
    errors: list[str]
    """What the compiled XSD says about each body and header part element (empty: accepted)."""
    back: dict[str, Any]

    @property
    def ok(self) -> bool:
        return not self.errors


def check_round_trip(
    version: ConnectorVersion,
    action: str,
    value: dict[str, Any],
    schema: xmlschema.XMLSchema,
    *,
    direction: str = "input",
    converter: MessageConverter | None = None,
) -> RoundTrip:
    """Convert ``value`` to the action's envelope, validate its parts with ``schema``, convert back.

    Only element parts (document style) are validated: an rpc part's accessor element has no
    global declaration to check it against.
    """
    converter = converter or MessageConverter(version)
    envelope = converter.to_xml(action, value, direction)
    binding = version.action(action).binding
    assert isinstance(binding, SoapBinding)
    errors: list[str] = []
    env = namespace_of(envelope.tag)
    if binding.style == "document":
        for container in (f"{{{env}}}Header", f"{{{env}}}Body"):
            for part in envelope.findall(f"{container}/*"):
                for error in schema.iter_errors(part):
                    errors.append(f"{part.tag}: {' '.join(str(error.reason or error).split())}")
    back = converter.from_xml(action, envelope, direction)
    return RoundTrip(envelope, errors, back)
