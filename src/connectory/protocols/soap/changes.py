"""SOAP: the WSDL's namespace and endpoints, and each operation's binding, input, output and faults.

Operations are recognised across a rename by ``(service, port, operation)``. Their input and
output are compared as schemas (the XSD definitions through their JSON Schema mirrors, see
``schemas``): an element removed or made required, a type changed, an enumeration narrowed. The
binding is compared field by field: a new ``soapAction``, style (document / rpc) or SOAP version
breaks callers; a new address is dangerous. Answers: the output is the success, faults are errors.
"""

from __future__ import annotations

from collections.abc import Hashable

from connectory.changes.report import child
from connectory.changes.versions import Context, Differ, compare_outputs
from connectory.model.version import Action, SoapBinding, SoapEndpoint, SoapMetadata

__all__ = ["DIFFER"]

_FIELDS = {
    "operation": "soap-operation-changed",
    "soap_action": "soap-action-changed",
    "style": "soap-style-changed",
    "soap_version": "soap-version-changed",
    "address": "soap-address-changed",
}
_KNOWN = frozenset({*_FIELDS, "kind", "service", "port"})


def _key(action: Action) -> Hashable:
    binding = action.binding
    if isinstance(binding, SoapBinding):
        return binding.service, binding.port, binding.operation
    return "?", action.name


def _is_success(status: str) -> bool:
    return not status.lower().startswith("fault")


def _endpoint_key(endpoint: SoapEndpoint) -> tuple[str | None, str | None, str]:
    return endpoint.service, endpoint.port, endpoint.binding


def _endpoint_name(key: tuple[str | None, str | None, str]) -> str:
    service, port, binding = key
    return f"{service or '-'}/{port or '-'}" if service or port else binding


def _version(context: Context) -> None:
    old, new = context.old.metadata, context.new.metadata
    if not isinstance(old, SoapMetadata) or not isinstance(new, SoapMetadata):
        return
    report = context.report
    if old.target_namespace != new.target_namespace:
        message = (
            f"target namespace changed from {old.target_namespace!r} to {new.target_namespace!r}"
        )
        report.add("target-namespace-changed", "target_namespace", message)
    before = {_endpoint_key(e): e for e in old.endpoints}
    after = {_endpoint_key(e): e for e in new.endpoints}
    for key in sorted(before.keys() - after.keys(), key=str):
        name = _endpoint_name(key)
        report.add("endpoint-removed", child("endpoints", name), f"endpoint {name} removed")
    for key in sorted(after.keys() - before.keys(), key=str):
        name = _endpoint_name(key)
        report.add("endpoint-added", child("endpoints", name), f"endpoint {name} added")
    for key in sorted(before.keys() & after.keys(), key=str):
        old_end, new_end = before[key], after[key]
        where = child("endpoints", _endpoint_name(key))
        if old_end.address != new_end.address:
            message = f"address changed from {old_end.address} to {new_end.address}"
            report.add("endpoint-address-changed", where, message)
        if old_end.soap_version != new_end.soap_version:
            message = f"SOAP version changed from {old_end.soap_version} to {new_end.soap_version}"
            report.add("endpoint-soap-version-changed", where, message)


def _action(context: Context, old: Action, new: Action, location: str) -> None:
    before, after = old.binding, new.binding
    report = context.report
    if not isinstance(before, SoapBinding) or not isinstance(after, SoapBinding):
        report.add("binding-changed", child(location, "binding"), "binding kind changed")
        return
    for field, kind in _FIELDS.items():
        old_value, new_value = getattr(before, field), getattr(after, field)
        if old_value != new_value:
            message = f"{field} changed from {old_value!r} to {new_value!r}"
            report.add(kind, child(location, "binding", field), message)
    old_rest = before.model_dump(exclude=set(_KNOWN))
    new_rest = after.model_dump(exclude=set(_KNOWN))
    changed = sorted(
        k for k in old_rest.keys() | new_rest.keys() if old_rest.get(k) != new_rest.get(k)
    )
    if changed:
        message = f"binding {', '.join(changed)} changed"
        report.add("binding-changed", child(location, "binding"), message)
    context.schemas.compare(old.input, new.input, child(location, "input"), "input")
    compare_outputs(context, old, new, location, _is_success)


DIFFER = Differ(key=_key, version=_version, action=_action)
"""The SOAP part of ``connectory.changes.diff``."""
