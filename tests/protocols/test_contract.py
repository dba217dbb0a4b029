"""The protocol contract: every package the lookup names implements it, and onboarding goes
through it alone (``connectory.protocols.contract``)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from connectory import RawDocument, fetch, parse
from connectory.changes.versions import Differ
from connectory.documents.loader import FolderLoader
from connectory.errors import ProtocolError
from connectory.protocols import PACKAGES, SUPPORTED_KINDS, for_kind, generate, protocol
from connectory.protocols.contract import ProtocolPackage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DOCUMENTS = {
    "http": FIXTURES / "openapi" / "operations-3.0.yaml",
    "graphql": FIXTURES / "graphql" / "shop.graphql",
    "soap": FIXTURES / "wsdl" / "calculator-soap11and12.wsdl",
}


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_each_package_implements_the_contract(name: str) -> None:
    package = protocol(name)
    assert package is not None
    assert name == package.NAME
    assert isinstance(package.DIFFER, Differ)
    wanted = inspect.signature(ProtocolPackage.generate)
    found = inspect.signature(package.generate)
    assert list(found.parameters) == [p for p in wanted.parameters if p != "self"]
    assert [p.kind for p in found.parameters.values()] == [
        p.kind for p in wanted.parameters.values() if p.name != "self"
    ]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_a_document_is_onboarded_by_the_package_of_its_kind(name: str) -> None:
    parsed = parse(fetch(str(DOCUMENTS[name])))
    package = for_kind(parsed.kind)
    assert package is not None
    assert name == package.NAME
    version = generate(parsed, connector="contract")
    assert version.metadata.protocol == name
    assert version.actions
    assert version.sha256 == parsed.raw.sha256
    direct = package.generate(parsed, connector="contract")
    assert direct.model_dump(exclude={"fetched_at"}) == version.model_dump(exclude={"fetched_at"})


def test_every_kind_has_one_package_and_unknown_ones_none() -> None:
    assert len(SUPPORTED_KINDS) == len(set(SUPPORTED_KINDS))
    assert all(for_kind(kind) is not None for kind in SUPPORTED_KINDS)
    assert for_kind("asyncapi-3.0") is None
    assert protocol("grpc") is None


def test_a_kind_without_a_package_is_refused_naming_the_supported(tmp_path: Path) -> None:
    parsed = parse(fetch(str(DOCUMENTS["http"])))
    alien = type(parsed)(raw=parsed.raw, protocol=parsed.protocol, kind="asyncapi-3.0", content={})
    with pytest.raises(ProtocolError, match=r"supported: openapi-3\.0.*wsdl-1\.1"):
        generate(alien, connector="contract")


def test_a_loader_the_caller_gives_is_used_and_left_open() -> None:
    class Recording(FolderLoader):
        closed = False
        read_from: list[str] = []

        def read(self, location: str, *, where: str) -> RawDocument:
            self.read_from.append(location)
            return super().read(location, where=where)

        def close(self) -> None:
            self.closed = True
            super().close()

    multi = FIXTURES / "openapi" / "openapi-multi" / "openapi.yaml"
    parsed = parse(fetch(str(multi)))
    loader = Recording(multi)
    version = generate(parsed, connector="contract", loader=loader)
    assert version.actions
    assert loader.read_from  # the other files of the description came through it
    assert not loader.closed
