"""Words for people: the article a noun takes, and the names of protocols and document kinds as
they are written (``an OpenAPI 3.0 document``, ``an HTTP connector``, ``a GraphQL version``)."""

from __future__ import annotations

__all__ = ["article", "document_kind", "protocol_name"]

_PROTOCOLS = {"http": "HTTP", "graphql": "GraphQL", "soap": "SOAP"}
_KINDS = {
    "openapi": "OpenAPI",
    "swagger": "Swagger",
    "wsdl": "WSDL",
    "graphql": "GraphQL",
}
# Initialisms read letter by letter: "an HTTP", "an SDL"; words: "a SOAP", "a WSDL" ("wiz-dul")
_VOWEL_SOUNDS = ("a", "e", "i", "o", "u", "http", "html", "sdl", "mtls", "xml", "xsd", "ssl")
_CONSONANT_SOUNDS = ("one", "uni", "use", "usa", "url", "uri", "uuid", "eu")


def article(phrase: str) -> str:
    """``phrase`` after the article its first word takes: ``an OpenAPI document``, ``a SOAP
    version``, ``an HTTP connector``, ``a URL``."""
    first = phrase.split(" ", 1)[0].lower()
    vowel = first.startswith(_VOWEL_SOUNDS) and not first.startswith(_CONSONANT_SOUNDS)
    return f"{'an' if vowel else 'a'} {phrase}"


def protocol_name(protocol: str) -> str:
    """``http`` -> ``HTTP``, ``graphql`` -> ``GraphQL``, ``soap`` -> ``SOAP`` (else as given)."""
    return _PROTOCOLS.get(protocol, protocol)


def document_kind(kind: str) -> str:
    """A document kind as written: ``openapi-3.0`` -> ``OpenAPI 3.0 document``,
    ``graphql-introspection`` -> ``GraphQL introspection result``."""
    family, _, rest = kind.partition("-")
    name = _KINDS.get(family, family)
    if rest == "introspection":
        return f"{name} introspection result"
    if rest == "sdl":
        return f"{name} SDL document"
    return f"{name} {rest} document".replace("  ", " ")
