"""WSDL operations -> actions: one per operation of each SOAP port, or of a binding no port uses.

Naming, stable and unique within a version:

- ``Port.Operation`` for an operation reached through a service port (``CalculatorSoap12.Add``);
- ``Service.Port.Operation`` when the port's name is used by more than one service;
- ``Binding.Operation`` for a binding that no service port uses (its address is given at call time);
- ``_2``, ``_3``... appended to an overloaded operation's later occurrences.

The action's input is ``{"body": {part: ...}, "header": {part: ...}}`` (``header`` only when the
binding declares SOAP headers); its outputs are ``output`` (the same shape) and one
``fault:<name>`` per declared fault, whose schema is the fault element's mirror. Body parts are
required; header parts optional. A part's schema is a ``$ref`` to its element's (or, rpc style, its
type's) mirror in the definition of the schema document that declares it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from connectory.model.version import (
    Action,
    ActionOutput,
    JsonSchema,
    SoapBinding,
    SoapFault,
    SoapMessage,
    SoapPart,
)
from connectory.protocols.naming import unique_name

from ._names import local_name
from ._wsdl import (
    Binding,
    BindingIO,
    BindingOperation,
    Message,
    Operation,
    Part,
    Port,
    PortType,
    Service,
    SoapBody,
    SoapHeaderRef,
    Wsdl,
)
from .auth import Policies
from .definitions import Mirror
from .findings import Findings

__all__ = ["build_actions"]


@dataclass(slots=True)
class _Context:
    wsdl: Wsdl
    mirror: Mirror
    policies: Policies
    findings: Findings
    by_name: dict[str, dict[str, list[Operation]]] = field(default_factory=dict)
    """Each port type's operations by name (looked up once per binding operation)."""

    def operations_named(self, port_type: PortType, name: str) -> list[Operation]:
        index = self.by_name.get(port_type.qname)
        if index is None:
            index = self.by_name[port_type.qname] = {}
            for operation in port_type.operations:
                index.setdefault(operation.name, []).append(operation)
        return index.get(name, [])


def _message(
    context: _Context,
    qname: str | None,
    io: BindingIO | None,
    style: str,
    operation: Operation,
    response: bool,
    where: str,
) -> tuple[SoapMessage, JsonSchema]:
    """The binding's view of one message, and the JSON Schema of its ``body`` and ``header``."""
    message = context.wsdl.messages.get(qname or "")
    if qname is not None and message is None:
        context.findings.error(
            "unresolved-message", where, f"uses the message {qname}, which the WSDL does not define"
        )
    body = io.body if io is not None else None
    header_refs = io.headers if io is not None else []
    body_parts = _body_parts(message, body, {h.part for h in header_refs if h.message == qname})
    wrapper = None
    if style == "rpc":
        namespace = (body.namespace if body is not None else None) or context.wsdl.target_namespace
        name = operation.name + ("Response" if response else "")
        wrapper = f"{{{namespace}}}{name}" if namespace else name
    headers, header_schemas = _headers(context, header_refs, where)
    soap_message = SoapMessage(
        message=qname,
        body=[SoapPart(name=p.name, element=p.element, type=p.type) for p in body_parts],
        headers=headers,
        wrapper=wrapper,
        use="encoded" if body is not None and body.use == "encoded" else "literal",
        encoding_style=body.encoding_style if body is not None else None,
    )
    body_schemas = {p.name: _part_schema(context, p.element, p.type, where) for p in body_parts}
    required = [p.name for p in body_parts]
    return soap_message, _message_schema(body_schemas, required, header_schemas)


def _body_parts(
    message: Message | None, body: SoapBody | None, header_parts: set[str]
) -> list[Part]:
    """The parts in the body: those ``soap:body`` lists, or else every part not in a header."""
    parts = message.parts if message is not None else []
    if body is None or body.parts is None:
        return [p for p in parts if p.name not in header_parts]
    listed = set(body.parts)
    return [p for p in parts if p.name in listed]


def _headers(
    context: _Context, header_refs: list[SoapHeaderRef], where: str
) -> tuple[list[SoapPart], dict[str, JsonSchema]]:
    """The parts each ``soap:header`` names, and their schemas by part name."""
    headers: list[SoapPart] = []
    header_schemas: dict[str, JsonSchema] = {}
    for ref in header_refs:
        owner = context.wsdl.messages.get(ref.message or "")
        part = next((p for p in owner.parts if p.name == ref.part), None) if owner else None
        if part is None:
            context.findings.error(
                "unresolved-message",
                where,
                f"a soap:header names part {ref.part!r} of {ref.message}, which does not exist",
            )
            continue
        headers.append(
            SoapPart(name=part.name, element=part.element, type=part.type, message=ref.message)
        )
        header_schemas[part.name] = _part_schema(context, part.element, part.type, where)
    return headers, header_schemas


def _message_schema(
    body_schemas: dict[str, JsonSchema], required: list[str], header_schemas: dict[str, JsonSchema]
) -> JsonSchema:
    """``{"body": {part: ...}, "header": {part: ...}}``: body parts required, headers optional."""
    properties: dict[str, Any] = {
        "body": {
            "type": "object",
            "properties": body_schemas,
            "required": required,
            "additionalProperties": False,
        }
    }
    if header_schemas:
        properties["header"] = {
            "type": "object",
            "properties": header_schemas,
            "additionalProperties": False,
        }
    return {
        "type": "object",
        "properties": properties,
        "required": ["body"],
        "additionalProperties": False,
    }


def _part_schema(
    context: _Context, element: str | None, kind: str | None, where: str
) -> JsonSchema:
    mirror = context.mirror
    mirror.where = where
    if element is not None:
        use = mirror.schemas.element_use(element, where)
        return True if use is None else mirror.element_value(use)
    if kind is not None:
        return mirror.type_ref(mirror.schemas.known_type(kind, where))
    context.findings.warning("invalid-part", where, "a message part has neither element nor type")
    return True


def _action(
    context: _Context,
    name: str,
    binding: Binding,
    op: BindingOperation,
    service: Service | None,
    port: Port | None,
) -> Action | None:
    operation = _operation(context, binding, op)
    if operation is None:
        context.findings.error(
            "unresolved-operation",
            op.where,
            f"the binding's operation {op.name!r} is not an operation of its port type "
            f"{binding.port_type}; it yields no action",
        )
        return None
    style = op.style or binding.style
    style = "rpc" if style == "rpc" else "document"
    input_message, input_schema = _message(
        context, operation.input, op.input, style, operation, False, op.where
    )
    outputs: list[ActionOutput] = []
    output_message = None
    if operation.output is not None:
        output_message, output_schema = _message(
            context, operation.output, op.output, style, operation, True, op.where
        )
        outputs.append(ActionOutput(status="output", schema_=output_schema))
    faults = _faults(context, operation, op.where, outputs)
    if input_message.use == "encoded":
        context.findings.info(
            "soap-encoding",
            op.where,
            "rpc/encoded: the mirror describes the parts as literal XML; SOAP encoding's arrays "
            "and references are not expressed",
        )
    auth = _auth(context, binding, op, port)
    return Action(
        name=name,
        title=operation.name,
        description=operation.documentation,
        binding=SoapBinding(
            service=None if service is None else local_name(service.qname),
            port=None if port is None else port.name,
            binding=local_name(binding.qname),
            operation=operation.name,
            soap_action=op.soap_action or None,
            style=style,
            soap_version=binding.soap_version or "1.1",
            address=None if port is None else port.address,
            input=input_message,
            output=output_message,
            faults=faults,
            transport=binding.transport,
        ),
        input=input_schema,
        outputs=outputs,
        auth=auth,
    )


def _operation(context: _Context, binding: Binding, op: BindingOperation) -> Operation | None:
    """The port type's operation a binding operation binds (by name, then by input name)."""
    port_type = context.wsdl.port_types.get(binding.port_type or "")
    if port_type is None:
        return None
    candidates = context.operations_named(port_type, op.name)
    named = [o for o in candidates if op.input is None or o.input_name in (None, op.input.name)]
    found = named or candidates
    return found[0] if found else None


def _faults(
    context: _Context, operation: Operation, where: str, outputs: list[ActionOutput]
) -> list[SoapFault]:
    """The operation's faults; each one's output (its first part's schema) added to ``outputs``."""
    faults = []
    for fault_name, fault_qname in operation.faults.items():
        message = context.wsdl.messages.get(fault_qname or "")
        part = message.parts[0] if message is not None and message.parts else None
        schema = None if part is None else _part_schema(context, part.element, part.type, where)
        faults.append(
            SoapFault(
                name=fault_name,
                message=fault_qname,
                part=None
                if part is None
                else SoapPart(name=part.name, element=part.element, type=part.type),
            )
        )
        outputs.append(ActionOutput(status=f"fault:{fault_name}", schema_=schema))
    return faults


def _auth(
    context: _Context, binding: Binding, op: BindingOperation, port: Port | None
) -> list[dict[str, list[str]]] | None:
    """The auth alternatives of the policies attached to the port, binding, operation and its input."""
    attached = [binding.element, op.element]
    if port is not None:
        attached.insert(0, port.element)
    input_element = op.element.find("{http://schemas.xmlsoap.org/wsdl/}input")
    if input_element is not None:
        attached.append(input_element)
    return context.policies.requirements(attached, op.where)


def build_actions(
    wsdl: Wsdl, mirror: Mirror, policies: Policies, findings: Findings
) -> list[Action]:
    """The actions of every SOAP port, then of every SOAP binding that no port uses."""
    context = _Context(wsdl, mirror, policies, findings)
    soap_ports: list[tuple[Service, Port, Binding]] = []
    for service in wsdl.services.values():
        for port in service.ports:
            binding = wsdl.bindings.get(port.binding or "")
            if binding is None:
                findings.warning(
                    "missing-binding",
                    port.where,
                    f"the port names the binding {port.binding}, which the WSDL does not define; "
                    "it yields no actions",
                )
            elif binding.soap_version is None:
                findings.info(
                    "non-soap-port",
                    port.where,
                    f"the binding {local_name(binding.qname)} is not a SOAP binding (HTTP GET/POST "
                    "or another protocol); it yields no actions",
                )
            else:
                soap_ports.append((service, port, binding))
    port_names = Counter(port.name for _, port, _ in soap_ports)
    used = {binding.qname for _, _, binding in soap_ports}
    taken: set[str] = set()
    actions: list[Action] = []
    for service, port, binding in soap_ports:
        prefix = port.name
        if port_names[port.name] > 1:
            prefix = f"{local_name(service.qname)}.{port.name}"
        for op in binding.operations:
            action = _action(
                context, unique_name(f"{prefix}.{op.name}", taken), binding, op, service, port
            )
            if action is not None:
                actions.append(action)
    for binding in wsdl.bindings.values():
        if binding.qname in used or binding.soap_version is None:
            continue
        findings.warning(
            "no-service",
            binding.where,
            "no service port uses this binding: its actions have no address (give one at call "
            "time)",
        )
        for op in binding.operations:
            name = unique_name(f"{local_name(binding.qname)}.{op.name}", taken)
            action = _action(context, name, binding, op, None, None)
            if action is not None:
                actions.append(action)
    return actions
