"""Keep secrets out of anything that may be printed: URLs, messages, artifacts."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["REDACTED", "redact_url"]

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
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
