"""Consent: a connector's secrets go only to the origins its user accepted, and only over https.

A user accepts a connector's origins once (``connectory trust NAME@VERSION``: the origins
``hosts.secret_origins`` finds in the version, kept in the secrets file beside the secrets, see
``SecretsFile.accept``); a version that names another one needs consent again. ``SecretPolicy``
enforces it where secrets are attached:

- ``require(urls)`` before anything is sent: every origin a call would send secrets to (the
  server, ``--server`` included, and the endpoints of the auth methods it uses) must be accepted,
  and travel over https unless it is on loopback. Else ``UntrustedOrigin`` (naming the origins and
  the command that accepts them) or ``InsecureOrigin``, and nothing is sent.
- ``guard(auth)`` wraps an auth method's ``httpx.Auth``: every request its flow sends or signs (the
  call itself, token requests, an OpenID Connect provider's discovered endpoints, login requests)
  is checked the same way before it leaves, and what the flow puts on the call (a token, a
  login's answer, a Basic header) is learnt by the ``Redactor``, to be hidden wherever it would
  show. Redirects are never followed with secrets: the runtime sends with
  ``follow_redirects=False`` (a 3xx is the answer).

``invoke``, ``listen`` and ``probe_auth`` (the ``live-auth`` check) take ``trusted_origins``: None
(the default) means the origins accepted in the secrets file for the connector; a collection of
URLs or origins replaces them (a library caller that decides itself). ``login`` takes the
``SecretPolicy`` itself (``SecretPolicy.of(version)``).
"""

from __future__ import annotations

from collections.abc import Collection, Generator, Iterable
from dataclasses import dataclass

import httpx

from connectory.errors import InputError, InsecureOrigin, UntrustedOrigin
from connectory.model.version import ConnectorVersion
from connectory.redaction import Redactor, redact_url

from .credentials import SecretsFile
from .hosts import needs_tls, origin

__all__ = ["InsecureOrigin", "SecretPolicy", "UntrustedOrigin"]

_NOT_SECRET_HEADERS = frozenset(
    {"accept", "accept-encoding", "connection", "content-length", "content-type", "date", "host",
     "user-agent"}
)  # fmt: skip
_AUTHORIZATION = ("authorization", "proxy-authorization")
_LEARNT_MIN_LENGTH = 4
"""Shorter values an auth flow adds (a version number...) are not learnt as secrets."""


@dataclass(frozen=True)
class SecretPolicy:
    """The origins a connector's secrets may go to (see the module docstring)."""

    connector: str
    accepted: frozenset[str]
    ref: str
    """``NAME@VERSION`` of the version in use, for the messages."""
    from_file: bool = True
    """Whether ``accepted`` is what the secrets file says (else the caller gave it)."""

    @classmethod
    def of(
        cls,
        version: ConnectorVersion,
        trusted_origins: Collection[str] | None = None,
        secrets_file: SecretsFile | None = None,
    ) -> SecretPolicy:
        """``version``'s policy: ``trusted_origins`` (URLs or origins), else what the secrets
        file accepts for its connector."""
        if trusted_origins is not None:
            accepted = frozenset(origin(url) for url in trusted_origins)
            return cls(version.connector, accepted, version.ref, from_file=False)
        secrets_file = secrets_file or SecretsFile.default()
        return cls(version.connector, secrets_file.accepted_origins(version.connector), version.ref)

    def _hint(self, missing: list[str], given: str | None) -> str:
        if not self.from_file:
            return "they are not in trusted_origins"
        if self.ref.endswith("@?"):  # a version not in the catalogue: its origins one by one
            flags = "".join(f" --origin {found}" for found in missing)
            return f"connectory trust {self.connector}{flags} accepts them"
        extra = origin(given) if given is not None else None
        flag = f" --origin {extra}" if extra in missing else ""
        return f"connectory trust {self.ref}{flag} shows and accepts them"

    def require(
        self, urls: Iterable[str | httpx.URL], *, given: str | None = None, what: str = ""
    ) -> None:
        """Refuse, before anything is sent, secrets for ``urls`` (``given``: the server the
        caller named, which the hint names; ``what``: who sends them, for the message)."""
        urls = list(urls)
        clear = sorted({redact_url(str(url)) for url in urls if needs_tls(url)})
        if clear:
            raise InsecureOrigin(
                f"{self.ref}{what}: secrets go over https only (or to loopback), not to "
                f"{', '.join(clear)}"
            )
        missing = sorted({origin(url) for url in urls} - self.accepted)
        if missing:
            raise UntrustedOrigin(
                f"{self.ref}{what} would send secrets to {', '.join(missing)}, not accepted for "
                f"{self.connector}: {self._hint(missing, given)}"
            )

    def guard(self, auth: httpx.Auth, method: str, redactor: Redactor) -> httpx.Auth:
        """``auth`` (auth method ``method``'s), each request it sends or signs checked first."""
        return _Guarded(auth, self, f" (auth method {method!r})", redactor)


def _values(request: httpx.Request) -> dict[tuple[str, str], set[str]]:
    """What a request carries that an auth flow may add: header, query and cookie values."""
    found: dict[tuple[str, str], set[str]] = {}
    for name, value in request.headers.multi_items():
        if name.lower() == "cookie":  # split as servers (and ``styles.put``) do: a value
            for part in value.split(";"):  # a cookie parser refuses is a value all the same
                key, _, cookie = part.strip().partition("=")
                found.setdefault(("cookie", key), set()).update({cookie, cookie.strip('"')})
        elif name.lower() not in _NOT_SECRET_HEADERS:
            found.setdefault(("header", name.lower()), set()).add(value)
    for name, value in request.url.params.multi_items():
        found.setdefault(("query", name), set()).add(value)
    return found


class _Guarded(httpx.Auth):
    """An auth flow whose every request is checked by a ``SecretPolicy`` before it leaves, and
    whose additions to the call are learnt by a ``Redactor``."""

    def __init__(self, auth: httpx.Auth, policy: SecretPolicy, what: str, redactor: Redactor):
        self._auth, self._policy, self._what, self._redactor = auth, policy, what, redactor
        self.requires_request_body = auth.requires_request_body
        self.requires_response_body = auth.requires_response_body

    def _learn(self, request: httpx.Request, before: dict[tuple[str, str], set[str]]) -> None:
        for name in _AUTHORIZATION:
            value = request.headers.get(name)
            if value:
                self._redactor.add(value)
                self._redactor.add(value.partition(" ")[2].strip())
        for place, values in _values(request).items():
            for value in values - before.get(place, set()):
                if len(value) >= _LEARNT_MIN_LENGTH:
                    self._redactor.add(value)

    def _next(
        self, flow: Generator[httpx.Request, httpx.Response, None], sent: object
    ) -> httpx.Request:
        try:
            return flow.send(sent)  # type: ignore[arg-type]
        except UnicodeEncodeError:  # httpx spells a header in ASCII: the error would show it
            raise InputError(
                f"{self._policy.ref}{self._what}: a secret holds characters that a header "
                "cannot carry (ASCII only)"
            ) from None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        before = _values(request)
        call = request.url.copy_with(query=None)
        flow = self._auth.auth_flow(request)
        outgoing = self._next(flow, None)
        while True:
            self._policy.require([outgoing.url], what=self._what)
            is_call = outgoing is request or outgoing.url.copy_with(query=None) == call
            self._learn(outgoing, before if is_call else _values(outgoing))
            response = yield outgoing
            try:
                outgoing = self._next(flow, response)
            except StopIteration:
                return
