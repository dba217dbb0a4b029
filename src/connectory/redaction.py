"""Keep secrets out of anything that may be printed: URLs, messages, answers, artifacts.

redact_url(url)     a URL without its password and secret-looking query values
Redactor(values)    hides known secret values (and what is derived from them, as it is
                    learnt) in text, in JSON values and in the errors that pass through it
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from .errors import ConnectoryError

__all__ = ["REDACTED", "Redactor", "redact_url"]

REDACTED = "***"
_SENSITIVE = ("key", "token", "secret", "password", "passwd", "auth", "signature", "sig", "code")


def _is_sensitive(name: str) -> bool:
    name = name.lower().replace("-", "_")
    return any(part in name for part in _SENSITIVE)


def redact_url(url: str) -> str:
    """``url`` without a password and with the values of secret-looking query parameters hidden."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{REDACTED}@{host}" if ":" in userinfo else f"{user}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, REDACTED if _is_sensitive(k) else v) for k, v in pairs], safe="*")
    if netloc == parts.netloc and query == parts.query:
        return url
    if not netloc and url.startswith(f"{parts.scheme}://"):
        # an empty host (sqlite:////var/x.db): urlunsplit would drop its "//" and the path's root
        rest = f"{parts.path}?{query}" if query else parts.path
        return f"{parts.scheme}://{rest}" + (f"#{parts.fragment}" if parts.fragment else "")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _forms(value: str) -> set[str]:
    """``value`` as written and as each escaping on its way into a message spells it: JSON, a
    Python bytes repr (httpx's errors show header values so), percent-encoding (URLs, forms)."""
    return {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value.encode("utf-8", errors="replace"))[2:-1],
        quote(value, safe=""),
        quote_plus(value),
    }


class Redactor:
    """Hides secret values wherever they would show: each is replaced by ``***``.

    It starts with the secrets given and learns what is derived from them as it is made (an
    access token, a login's answer, a Basic header): ``add``. ``text`` and ``value`` (any JSON
    value: strings, and the keys of objects, at every depth) return copies with the values hidden;
    ``errors()`` hides them in the message and location of a ``ConnectoryError`` passing through.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._forms: set[str] = set()
        self._ordered: list[str] | None = None
        for value in values:
            self.add(value)

    def add(self, value: str) -> None:
        """Hide ``value`` too (an empty value hides nothing)."""
        if value:
            self._forms.update(form for form in _forms(value) if form)
            self._ordered = None

    def __bool__(self) -> bool:
        return bool(self._forms)

    def text(self, text: str) -> str:
        """``text`` with every known value hidden (the longest first: a value inside another
        leaves nothing of the other)."""
        if self._ordered is None:
            self._ordered = sorted(self._forms, key=len, reverse=True)
        for form in self._ordered:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def value(self, value: Any) -> Any:
        """A copy of the JSON value ``value`` with every known value hidden in its strings."""
        if not self._forms:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {
                self.text(k) if isinstance(k, str) else k: self.value(v) for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Connectory's errors raised inside leave with every known value hidden."""
        try:
            yield
        except ConnectoryError as error:
            error.message = self.text(error.message)
            error.location = self.text(error.location) if error.location else error.location
            error.args = (
                f"{error.location}: {error.message}" if error.location else error.message,
            )
            raise
