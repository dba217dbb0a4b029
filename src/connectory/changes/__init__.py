"""Version diffs: what changed between two versions of a connector, and whom it hurts.

    diff(old, new)      every change, as ``Change(kind, level, location, message)`` records,
                        breaking first, then by location; deterministic
    supports(protocol)  whether versions of ``protocol`` can be diffed yet

    versions            what all protocols share: actions (matched by name; renames by the
                        protocol's key), auth methods and requirements, answers, triggers;
                        ``Differ``, the plug for a protocol's own part
    schemas             JSON Schema against JSON Schema, through each side's definitions
    auth                auth methods and requirements
    (each protocol's part lives in its package: ``protocols/openapi/changes.py``, servers,
    routes, parameters, bodies; ``protocols/soap/changes.py``, namespace, endpoints, soapAction,
    style, XSD-mirrored messages; ``protocols/graphql/changes.py``, the schema from the canonical
    SDL)
    report              the table of kinds and levels below, locations, sorting

A protocol plugs in through its package's ``DIFFER`` (``connectory.protocols``: how an
action is recognised across a rename, the protocol's version-level part, its per-action part). A differ that computes
its own ``Change`` records hands them over with ``context.report.extend``: GraphQL's schema changes
(``connectory.protocols.graphql.schemadiff``) have kinds of their own, named after graphql-core's.

Levels: **breaking**, existing callers may fail; **dangerous**, existing callers may behave
differently; **safe**, nothing existing changes. Changes inside schemas depend on the direction of
the data: *in* (what callers send: action input, request bodies, SOAP input) or *out* (what they
receive: responses, SOAP output and faults, trigger payloads); ``-`` means not reported.

    kind                              level                 kind                          in / out
    action-added                      safe                  property-added                safe / safe
    action-removed                    breaking              required-property-added   breaking / safe
    action-renamed                    breaking              property-removed      breaking / breaking
    action-deprecated                 dangerous             property-made-required    breaking / safe
    trigger-added                     safe                  property-made-optional    safe / breaking
    trigger-removed                   breaking              property-deprecated dangerous / dangerous
    trigger-changed                   breaking              type-changed          breaking / breaking
    trigger-binding-changed           dangerous             type-narrowed             breaking / safe
    auth-method-added                 safe                  type-widened              safe / breaking
    auth-method-removed               breaking              nullable-added            safe / breaking
    auth-method-changed               breaking              nullable-removed          breaking / safe
    auth-endpoint-changed             dangerous             enum-added                breaking / safe
    auth-flow-added                   safe                  enum-removed             safe / dangerous
    auth-flow-removed                 breaking              enum-value-added         safe / dangerous
    auth-scope-added                  safe                  enum-value-removed        breaking / safe
    auth-scope-removed                breaking              constraint-tightened      breaking / safe
    auth-required                     breaking              constraint-loosened      safe / dangerous
    auth-optional                     safe                  constraint-changed  dangerous / dangerous
    auth-alternative-added            safe                  pattern-added             breaking / safe
    auth-alternative-removed          breaking              pattern-removed          safe / dangerous
    auth-scopes-required              breaking              pattern-changed     dangerous / dangerous
    auth-scopes-relaxed               safe                  format-added             dangerous / safe
    secret-host-added                 breaking              format-removed           safe / dangerous
    response-added                    dangerous             format-changed      dangerous / dangerous
    response-removed                  breaking              additional-properties-closed  breaking / safe
    error-response-added              safe                  additional-properties-opened  safe / dangerous
    error-response-removed            safe                  alternative-added        safe / dangerous
    response-body-added               safe                  alternative-removed       breaking / safe
    response-body-removed             breaking              default-changed             dangerous / -
    response-media-type-added         safe                  keyword-changed     dangerous / dangerous
    response-media-type-removed       breaking              ref-changed         dangerous / dangerous
    response-header-added             safe                  namespace-changed     breaking / breaking
    response-header-removed           dangerous             xsd-changed         dangerous / dangerous
    server-added                      safe
    server-removed                    breaking
    default-server-changed            dangerous
    server-variable-added             safe
    server-variable-removed           breaking
    server-variable-default-changed   dangerous
    server-variable-value-added       safe
    server-variable-value-removed     breaking
    http-method-changed               breaking
    http-path-changed                 breaking
    parameter-serialization-changed   breaking
    request-media-type-added          safe
    request-media-type-removed        breaking
    binding-changed                   dangerous
    target-namespace-changed          breaking
    endpoint-added                    safe
    endpoint-removed                  breaking
    endpoint-address-changed          dangerous
    endpoint-soap-version-changed     breaking
    soap-operation-changed            breaking
    soap-action-changed               breaking
    soap-style-changed                breaking
    soap-version-changed              breaking
    soap-address-changed              dangerous

Not changes: descriptions, titles, examples, ``x-*`` annotations, the order of keys, properties,
enum values, required names or actions. ``report.KINDS`` is this table in code (a test keeps the
two equal).
"""

from __future__ import annotations

from connectory._wording import article, protocol_name
from connectory.errors import ProtocolError
from connectory.model.version import Change, ConnectorVersion
from connectory.protocols import PACKAGES
from connectory.protocols import protocol as protocol_package

from .report import KINDS, LEVELS
from .versions import Context, Differ, compare_versions

__all__ = ["KINDS", "LEVELS", "Differ", "diff", "supports"]


def supports(protocol: str) -> bool:
    """Whether versions of ``protocol`` can be diffed."""
    return protocol in PACKAGES


def _differ(protocol: str) -> Differ | None:
    package = protocol_package(protocol)
    return package.DIFFER if package is not None else None


def diff(old: ConnectorVersion, new: ConnectorVersion) -> list[Change]:
    """The changes from ``old`` to ``new`` (two versions of one protocol), breaking first.

    Raises ``ProtocolError`` for versions of different protocols, or of a protocol that cannot
    be diffed yet (see ``supports``).
    """
    if old.protocol != new.protocol:
        raise ProtocolError(
            f"cannot diff {article(protocol_name(old.protocol))} version ({old.ref}) with "
            f"{article(protocol_name(new.protocol))} version ({new.ref})"
        )
    differ = _differ(new.protocol)
    if differ is None:
        raise ProtocolError(
            f"diffing {new.protocol} versions is not available yet in this version of "
            f"Connectory (available: {', '.join(sorted(PACKAGES))})"
        )
    context = Context(old, new)
    compare_versions(context, differ)
    return context.report.changes()
