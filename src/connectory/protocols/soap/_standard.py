"""The catalogue of well-known schemas: W3C and OASIS schemas served from local copies.

Real WSDLs import these by URL (``http://www.w3.org/2001/xml.xsd``) or by namespace alone
(``<xs:import namespace="http://www.w3.org/XML/1998/namespace"/>``). Connectory never fetches them:
``find`` maps a URL (http or https, any of the known aliases) or a namespace to a ``WellKnown``
entry, whose bytes come from the copies ``xmlschema`` ships or from ``schemas/`` in this package.
A well-known schema's own imports are resolved by namespace, within this catalogue only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from ._names import SOAP11_ENV, SOAP12_ENV, SOAP_ENCODING, WSDL, WSSE, WSU, XML

__all__ = ["WELL_KNOWN", "WellKnown", "find", "find_namespace"]


@dataclass(frozen=True, slots=True)
class WellKnown:
    namespace: str
    url: str
    """The canonical location, also the name of its definition."""
    package: str
    path: str
    aliases: tuple[str, ...] = ()

    def resource(self) -> Traversable:
        return resources.files(self.package).joinpath(self.path)

    def read(self) -> bytes:
        return self.resource().read_bytes()


_OURS = "connectory.protocols.soap"
_XMLSCHEMA = "xmlschema"

WELL_KNOWN: tuple[WellKnown, ...] = (
    WellKnown(
        XML,
        "http://www.w3.org/2001/xml.xsd",
        _XMLSCHEMA,
        "schemas/XML/xml.xsd",
        ("http://www.w3.org/2009/01/xml.xsd", "http://www.w3.org/2001/03/xml.xsd"),
    ),
    WellKnown(SOAP11_ENV, SOAP11_ENV, _XMLSCHEMA, "schemas/WSDL/soap-envelope.xsd"),
    WellKnown(SOAP_ENCODING, SOAP_ENCODING, _XMLSCHEMA, "schemas/WSDL/soap-encoding.xsd"),
    WellKnown(
        WSDL,
        WSDL,
        _XMLSCHEMA,
        "schemas/WSDL/wsdl.xsd",
        ("http://schemas.xmlsoap.org/wsdl/wsdl.xsd",),
    ),
    WellKnown(
        "http://www.w3.org/1999/xlink",
        "http://www.w3.org/1999/xlink.xsd",
        _XMLSCHEMA,
        "schemas/XLINK/xlink.xsd",
    ),
    WellKnown(
        "http://www.w3.org/2000/09/xmldsig#",
        "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd",
        _XMLSCHEMA,
        "schemas/DSIG/xmldsig-core-schema.xsd",
        (
            "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd",
            "http://www.w3.org/2000/09/xmldsig",
        ),
    ),
    WellKnown(
        SOAP12_ENV,
        SOAP12_ENV,
        _OURS,
        "schemas/soap12-envelope.xsd",
        ("http://www.w3.org/2003/05/soap-envelope/soap-envelope.xsd",),
    ),
    WellKnown(
        "http://www.w3.org/2005/08/addressing",
        "http://www.w3.org/2006/03/addressing/ws-addr.xsd",
        _OURS,
        "schemas/ws-addr.xsd",
        (
            "http://www.w3.org/2005/08/addressing/ws-addr.xsd",
            "http://www.w3.org/2005/08/addressing",
        ),
    ),
    WellKnown(
        "http://www.w3.org/2005/05/xmlmime",
        "http://www.w3.org/2005/05/xmlmime",
        _OURS,
        "schemas/xmlmime.xsd",
        ("http://www.w3.org/2005/05/xmlmime.xsd",),
    ),
    WellKnown(WSSE, WSSE, _OURS, "schemas/wss-secext-1.0.xsd"),
    WellKnown(WSU, WSU, _OURS, "schemas/wss-utility-1.0.xsd"),
)


def _key(url: str) -> str:
    """Compare URLs without their scheme's s, a trailing slash or a fragment."""
    url = url.strip()
    if url.lower().startswith("https://"):
        url = "http://" + url[8:]
    return url.split("#", 1)[0].rstrip("/").lower()


@cache
def _by_url() -> dict[str, WellKnown]:
    table: dict[str, WellKnown] = {}
    for entry in WELL_KNOWN:
        for url in (entry.url, *entry.aliases):
            table[_key(url)] = entry
    return table


def find(url: str) -> WellKnown | None:
    """The well-known schema at ``url`` (an absolute http(s) URL), if it is one."""
    return _by_url().get(_key(url))


def find_namespace(namespace: str | None) -> WellKnown | None:
    """The well-known schema of ``namespace``, if there is one."""
    for entry in WELL_KNOWN:
        if entry.namespace == namespace:
            return entry
    return None
