"""WS-Policy -> auth methods: WS-Security UsernameToken (text or digest), HTTP basic and digest.

Policies are ``wsp:Policy`` elements anywhere in the WSDL documents, named by ``wsu:Id`` (referred
to as ``#id``) or ``Name``. They attach to a binding, a binding operation (or its input), or a port,
by a child ``wsp:Policy``, a ``wsp:PolicyReference URI="#id"`` or a ``wsp:PolicyURIs`` attribute.
A policy's top-level ``wsp:ExactlyOne`` of several ``wsp:All`` gives alternatives; the token
assertions of each alternative (WS-SecurityPolicy 1.1 to 1.3) become auth methods used together:

    sp:UsernameToken                    -> ws_security_username_token, password_type text
    sp:UsernameToken + sp:HashPassword  -> ws_security_username_token, password_type digest
    sp:HttpBasicAuthentication          -> http_basic
    sp:HttpDigestAuthentication         -> http_digest

Other token assertions (X.509, SAML, Kerberos, issued tokens) have no auth method yet: they are
reported as ``unsupported-policy`` findings. ``with_auth_method`` (``connectory.model.add_auth``,
the same for every protocol) lets a user add a method to a version by hand, for a WSDL that does
not declare one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lxml import etree

from connectory.model.add_auth import with_auth_method
from connectory.model.auth import AuthMethod, BasicAuth, DigestAuth, WSSecurityUsernameTokenAuth

from ._names import WSP_NAMESPACES, WSU, local_name, namespace_of
from .findings import Findings

__all__ = ["Policies", "with_auth_method"]

_TYPES = "{http://schemas.xmlsoap.org/wsdl/}types"
_UNSUPPORTED = frozenset(
    {"X509Token", "SamlToken", "IssuedToken", "KerberosToken", "SpnegoContextToken", "RelToken"}
)
_METHODS: dict[str, AuthMethod] = {
    "UsernameToken": WSSecurityUsernameTokenAuth(
        name="UsernameToken", description="WS-Security UsernameToken, password as text"
    ),
    "UsernameTokenDigest": WSSecurityUsernameTokenAuth(
        name="UsernameTokenDigest",
        password_type="digest",
        description="WS-Security UsernameToken, password digest",
    ),
    "HttpBasic": BasicAuth(name="HttpBasic", description="HTTP basic authentication"),
    "HttpDigest": DigestAuth(name="HttpDigest", description="HTTP digest authentication"),
}


def _is_policy(element: etree._Element, local: str) -> bool:
    return (
        isinstance(element.tag, str)
        and namespace_of(element.tag) in WSP_NAMESPACES
        and (local_name(element.tag) == local)
    )


class Policies:
    """The policies of a set of WSDL documents, and what they ask of a caller."""

    def __init__(self, roots: Iterable[tuple[str, etree._Element]], findings: Findings) -> None:
        self.findings = findings
        self.named: dict[str, etree._Element] = {}
        self.used: dict[str, AuthMethod] = {}
        self.present = False
        tags = [
            f"{{{ns}}}{local}" for ns in WSP_NAMESPACES for local in ("Policy", "PolicyReference")
        ]
        for _, root in roots:
            # Policies live beside the WSDL's components, never inside its schemas.
            outside_types = [child for child in root if child.tag != _TYPES]
            for child in outside_types:
                for found in child.iter(*tags):
                    self.present = True
                    key = found.get(f"{{{WSU}}}Id") or found.get("Name")
                    if key and local_name(found.tag) == "Policy":
                        self.named.setdefault(key, found)
            if not self.present:
                self.present = any(
                    child.xpath(".//@*[local-name()='PolicyURIs'] | @*[local-name()='PolicyURIs']")
                    for child in outside_types
                )

    def methods(self) -> list[AuthMethod]:
        """The auth methods some attached policy uses, in a stable order."""
        return [self.used[name] for name in _METHODS if name in self.used]

    def requirements(
        self, attached_to: Sequence[etree._Element], where: str
    ) -> list[dict[str, list[str]]] | None:
        """The auth alternatives of the policies attached to these elements (None: no policy)."""
        if not self.present:
            return None
        policies = [p for element in attached_to for p in self._attached(element, where)]
        if not policies:
            return None
        combined: list[set[str]] = [set()]
        for policy in policies:
            options = self._alternatives(policy, where, depth=0)
            combined = [have | option for have in combined for option in options] or combined
        alternatives: list[dict[str, list[str]]] = []
        for option in combined:
            if option:
                alternatives.append({name: [] for name in sorted(option)})
                for name in option:
                    self.used[name] = _METHODS[name]
        return alternatives or None

    def _attached(self, element: etree._Element, where: str) -> list[etree._Element]:
        found: list[etree._Element] = []
        for child in element:
            if _is_policy(child, "Policy"):
                found.append(child)
            elif _is_policy(child, "PolicyReference"):
                found += self._reference(child.get("URI", ""), where)
        for name, value in element.attrib.items():
            if local_name(name) == "PolicyURIs" and namespace_of(name) in WSP_NAMESPACES:
                for uri in value.split():
                    found += self._reference(uri, where)
        return found

    def _reference(self, uri: str, where: str) -> list[etree._Element]:
        policy = self.named.get(uri.removeprefix("#"))
        if policy is None:
            self.findings.warning(
                "unresolved-policy",
                where,
                f"refers to the policy {uri!r}, which is not in the WSDL",
            )
            return []
        return [policy]

    def _alternatives(self, policy: etree._Element, where: str, depth: int) -> list[set[str]]:
        """The alternatives of one policy, each the set of method names it needs."""
        exactly_one = [child for child in policy if _is_policy(child, "ExactlyOne")]
        if len(exactly_one) == 1 and len(exactly_one[0]) > 1:
            return [self._assertions(option, where, depth) for option in exactly_one[0]]
        return [self._assertions(policy, where, depth)]

    def _assertions(self, element: etree._Element, where: str, depth: int) -> set[str]:
        names: set[str] = set()
        for node in element.iter():
            if not isinstance(node.tag, str):
                continue
            local = local_name(node.tag)
            if _is_policy(node, "PolicyReference") and depth < 8:
                for nested in self._reference(node.get("URI", ""), where):
                    for option in self._alternatives(nested, where, depth + 1):
                        names |= option
            elif local == "UsernameToken" and namespace_of(node.tag) not in WSP_NAMESPACES:
                digest = any(
                    isinstance(inner.tag, str)
                    and local_name(inner.tag) in ("HashPassword", "PasswordDigest")
                    for inner in node.iter()
                )
                names.add("UsernameTokenDigest" if digest else "UsernameToken")
            elif local == "HttpBasicAuthentication":
                names.add("HttpBasic")
            elif local == "HttpDigestAuthentication":
                names.add("HttpDigest")
            elif local in _UNSUPPORTED:
                self.findings.info(
                    "unsupported-policy",
                    where,
                    f"the policy asks for a {local}, which no auth method of Connectory covers "
                    "yet; add a method by hand if needed",
                )
        return names
