"""Webhooks and callbacks -> triggers: requests the external system sends us.

- ``webhooks`` (OpenAPI 3.1) and ``x-webhooks`` (the same map as a 3.0 extension, used by GitHub and
  Adyen): one trigger per operation, named after the webhook (``<webhook>`` for POST, else
  ``<webhook>.<method>``), bound to the webhook name as its path.
- ``callbacks`` of an operation: one trigger per operation of each callback's path items, named
  ``<action>.<callback>.<method>``, bound to the runtime expression and the action that sets it up.

The payload is the schema of the request body (see ``bodies``). Names are unique across the version.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectory.model.version import HttpParameter, HttpTriggerBinding, JsonSchema, Trigger

from . import _raw as raw
from ._bodies import request_body
from ._context import Context
from ._naming import unique_name
from ._parameters import build_input, merge
from ._refs import child
from .actions import Operation, operations

__all__ = ["callback_triggers", "webhook_triggers"]


def _payload(context: Context, op: Operation) -> tuple[list[str], JsonSchema | None]:
    if "requestBody" not in op.value:
        return [], None
    body = request_body(context, op.value["requestBody"], child(op.location, "requestBody"))
    return ([], None) if body is None else (body.media_types, body.schema)


def _parameters(context: Context, op: Operation) -> list[HttpParameter]:
    """The parameters the system sends with the delivery (headers such as ``X-GitHub-Event``)."""
    declared = merge(
        context,
        op.path_item.get("parameters"),
        op.parameters_location,
        op.value.get("parameters"),
        child(op.location, "parameters"),
    )
    if not declared:
        return []
    bindings, _ = build_input(context, declared, None, "", op.location)
    return bindings


def _description(op: Operation) -> str | None:
    for key in ("description", "summary"):
        text = op.value.get(key)
        if isinstance(text, str):
            return text
    return None


def webhook_triggers(
    context: Context, webhooks: raw.Paths | None, location: str, taken: set[str]
) -> list[Trigger]:
    """The triggers of a ``webhooks`` map (at ``location``: ``/webhooks`` or ``/x-webhooks``)."""
    triggers = []
    for op in operations(context, webhooks, location):
        media_types, payload = _payload(context, op)
        base = op.key if op.method == "post" else f"{op.key}.{op.method}"
        triggers.append(
            Trigger(
                name=unique_name(base, taken),
                kind="webhook",
                description=_description(op),
                binding=HttpTriggerBinding(
                    method=op.method.upper(),
                    path=op.key,
                    media_types=media_types,
                    parameters=_parameters(context, op),
                ),
                payload=payload,
                deprecated=op.value.get("deprecated") is True,
            )
        )
    return triggers


def callback_triggers(
    context: Context, action: str, operation: Operation, taken: set[str]
) -> list[Trigger]:
    """The triggers of the ``callbacks`` of the operation behind ``action``."""
    callbacks = operation.value.get("callbacks")
    if not isinstance(callbacks, Mapping):
        return []
    triggers = []
    where = child(operation.location, "callbacks")
    for name, value in callbacks.items():
        if str(name).startswith("x-"):
            continue
        resolved = context.resolver.follow(value, child(where, name), "callback")
        if resolved is None:
            continue
        for op in operations(context, resolved.value, resolved.location):
            media_types, payload = _payload(context, op)
            triggers.append(
                Trigger(
                    name=unique_name(f"{action}.{name}.{op.method}", taken),
                    kind="callback",
                    description=_description(op),
                    binding=HttpTriggerBinding(
                        method=op.method.upper(),
                        expression=op.key,
                        action=action,
                        media_types=media_types,
                        parameters=_parameters(context, op),
                    ),
                    payload=payload,
                    deprecated=op.value.get("deprecated") is True,
                )
            )
    return triggers
