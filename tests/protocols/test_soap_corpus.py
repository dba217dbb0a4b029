"""Every WSDL of the shared corpus onboards: one action per operation of each SOAP port.

The expected count comes from the test's own reading of each WSDL (lxml XPath: the operations of
the SOAP bindings each service port names, plus those of SOAP bindings no port names), not from the
code under test. Every JSON Schema of each version (mirrors, inputs, outputs) must be valid 2020-12
with every reference resolving. The UPS set, with one of its imports removed, must end in an error
naming the importing file and the missing one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from connectory import BadReference
from connectory.schemas.validation import validate
from tests.conftest import CORPUS, corpus_absent
from tests.support.soap import onboard

pytestmark = pytest.mark.slow

WSDL_CORPUS = CORPUS / "wsdl"
DOCUMENTS = sorted(WSDL_CORPUS.rglob("*.wsdl")) if WSDL_CORPUS.is_dir() else []
NS = {
    "w": "http://schemas.xmlsoap.org/wsdl/",
    "s11": "http://schemas.xmlsoap.org/wsdl/soap/",
    "s12": "http://schemas.xmlsoap.org/wsdl/soap12/",
}


def _expected_actions(path: Path) -> int:
    root = etree.parse(
        str(path), etree.XMLParser(resolve_entities=False, no_network=True)
    ).getroot()
    soap_bindings = {
        b.get("name"): len(b.findall("w:operation", NS))
        for b in root.findall("w:binding", NS)
        if b.find("s11:binding", NS) is not None or b.find("s12:binding", NS) is not None
    }
    used: set[str] = set()
    count = 0
    for port in root.findall("w:service/w:port", NS):
        name = port.get("binding", "").rsplit(":", 1)[-1]
        if name in soap_bindings:
            used.add(name)
            count += soap_bindings[name]
    return count + sum(n for name, n in soap_bindings.items() if name not in used)


@pytest.mark.parametrize(
    "path", DOCUMENTS or [WSDL_CORPUS], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_every_corpus_wsdl_onboards(path: Path) -> None:
    if not DOCUMENTS:
        corpus_absent(WSDL_CORPUS)
    version = onboard(path)
    assert len(version.actions) == _expected_actions(path) > 0
    assert len({a.name for a in version.actions}) == len(version.actions)
    assert validate(version) == []
    assert version.definitions
    assert all(d.format == "xsd" for d in version.definitions)
    assert not [f for f in version.findings if f.severity == "error"], version.findings


def test_a_missing_import_of_the_ups_set_is_a_clear_error(tmp_path: Path) -> None:
    if not DOCUMENTS:
        corpus_absent(WSDL_CORPUS)
    folder = tmp_path / "ups-ship"
    shutil.copytree(WSDL_CORPUS / "ups-ship", folder)
    folder.chmod(0o755)  # the corpus may be read-only
    (folder / "common.xsd").unlink()
    with pytest.raises(BadReference) as caught:
        onboard(folder / "Ship.wsdl")
    assert caught.value.location == str(folder / "ShipWebServiceSchema.xsd")
    assert "imports 'common.xsd', which cannot be read: common.xsd: no such file" in str(
        caught.value
    )
