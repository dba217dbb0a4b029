"""Every error Connectory raises on purpose.

    ConnectoryError
    ├── InputError                  bad input from the user: the CLI exits with code 2
    │   ├── SourceError             the source cannot be had: missing file, HTTP 4xx, too large
    │   │   └── SourceUnreachable   network failure or HTTP 5xx/429 (also a TransientError)
    │   ├── DocumentError           not JSON/YAML/XML, too deep, duplicate keys, NaN, ...
    │   ├── ProtocolError           not a document of any protocol, or of the wrong one
    │   ├── BadReference            a $ref that is unresolvable, forbidden or cyclic
    │   ├── InvalidName             a connector name or version label that is not allowed
    │   ├── UntrustedOrigin         secrets would go to an origin not accepted for the connector
    │   └── InsecureOrigin          secrets would travel over plain http off loopback
    └── CatalogError                the catalogue store refused an operation
        ├── NotFound                no such connector, version or board (also an InputError)
        ├── ImmutableVersion        the version is published: it cannot change
        ├── Conflict                someone got there first (concurrent publish, duplicate name)
        ├── ConfirmationRequired    a destructive operation needs an explicit yes
        └── PublishRefused          breaking changes without a major version bump (or consent)

    TransientError (a mixin)        worth retrying: orchestrators key their retries off it

Each error carries a ``location`` (a file, ``file:line:column``, a URL or a JSON pointer) when one
is known; ``str(error)`` names the problem and where it is, and never contains a secret.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "BadReference",
    "CatalogError",
    "ConfirmationRequired",
    "Conflict",
    "ConnectoryError",
    "DocumentError",
    "ImmutableVersion",
    "InputError",
    "InsecureOrigin",
    "InvalidName",
    "NotFound",
    "ProtocolError",
    "PublishRefused",
    "SourceError",
    "SourceUnreachable",
    "TransientError",
    "UntrustedOrigin",
    "is_transient",
]


class ConnectoryError(Exception):
    """The base of every error Connectory raises on purpose."""

    def __init__(self, message: str, *, location: str | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)

    def _render_traceback_(self) -> list[str]:
        """What IPython (a notebook) shows instead of the traceback: the error in one line, as
        the CLI prints it; the traceback stays in ``__traceback__`` (``%debug``, ``%tb``)."""
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]


class TransientError(ConnectoryError):
    """A failure that may go away on its own (network, HTTP 5xx, a locked database)."""


class InputError(ConnectoryError):
    """The input is at fault; retrying the same input cannot help (unless it is also transient)."""


class SourceError(InputError):
    """The source document cannot be had: a missing file, an HTTP 4xx, a size cap exceeded."""


class SourceUnreachable(SourceError, TransientError):
    """The source could not be fetched because of the network or the server (5xx, 429)."""


class DocumentError(InputError):
    """The document is not well-formed or breaks a safety limit."""


class ProtocolError(InputError):
    """Not an interface description Connectory knows, or not of the protocol asked for."""


class BadReference(InputError):
    """A reference (``$ref``, import) is unresolvable, forbidden or loops."""


class InvalidName(InputError, ValueError):
    """A connector name, version label or board name that is not allowed."""


class CatalogError(ConnectoryError):
    """The catalogue store refused an operation."""


class NotFound(CatalogError, InputError):
    """No such connector, version or board. The message lists the known names."""

    def __init__(self, what: str, name: str, known: Iterable[str] = ()) -> None:
        known = sorted(known)
        hint = (
            f" (known: {', '.join(known[:20])}{', ...' if len(known) > 20 else ''})"
            if known
            else ""
        )
        super().__init__(f"no {what} {name!r}{hint}")
        self.known = known


class ImmutableVersion(CatalogError):
    """The version is published (or deprecated): it and everything in it cannot change."""


class Conflict(CatalogError):
    """The operation lost a race or collides with something that exists."""


class ConfirmationRequired(CatalogError):
    """A destructive operation needs an explicit confirmation; ``details`` says what it would do."""

    def __init__(self, message: str, details: object = None) -> None:
        super().__init__(message)
        self.details = details


class PublishRefused(CatalogError):
    """Publishing would ship breaking changes that the label does not announce.

    ``changes`` are the breaking changes (``connectory.model.Change``) since ``baseline``, the
    version compared with; ``suggested_label`` is the next semver label, when labels are semver;
    ``headline`` is the message without the changes listed in it (for who lists them apart).
    """

    def __init__(
        self,
        message: str,
        *,
        changes: Iterable[object] = (),
        baseline: str | None = None,
        suggested_label: str | None = None,
        headline: str | None = None,
    ) -> None:
        super().__init__(message)
        self.headline = headline or message
        self.changes = list(changes)
        self.baseline = baseline
        self.suggested_label = suggested_label


def is_transient(error: BaseException) -> bool:
    """Whether retrying the operation that raised ``error`` may succeed."""
    return isinstance(error, TransientError)


class UntrustedOrigin(InputError):
    """Secrets would go to an origin the user has not accepted for the connector."""


class InsecureOrigin(InputError):
    """Secrets would travel over plain http to a host that is not on loopback."""
