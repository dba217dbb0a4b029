"""The loader of sibling documents: only the root's folder or origin, every hop checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from connectory.documents.loader import DocumentLoader, FolderLoader, OriginLoader, loader_for
from connectory.errors import BadReference, DocumentError, SourceError, SourceUnreachable
from connectory.settings import Settings

from .support.servers import Reply, serve


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    api = tmp_path / "api"
    (api / "schemas").mkdir(parents=True)
    (api / "openapi.yaml").write_text("openapi: 3.1.0\n")
    (api / "schemas" / "pet.yaml").write_text("type: object\n")
    (api / "schemas" / "my pet.json").write_text('{"type": "string"}')
    (tmp_path / "secret.yaml").write_text("password: hunter2\n")
    return api


def test_a_sibling_is_resolved_read_and_parsed_once(folder: Path) -> None:
    loader = FolderLoader(folder / "openapi.yaml")
    location = loader.resolve("schemas/pet.yaml#/properties", base=loader.root, where="/x")
    assert location == str((folder / "schemas" / "pet.yaml").resolve())
    assert loader.name(location) == "schemas/pet.yaml"
    value = loader.load(location, where="/x")
    assert value == {"type": "object"}
    assert loader.load(location, where="/y") is value  # cached
    # Relative to the file that holds the reference; percent-encoded names are decoded.
    other = loader.resolve("my%20pet.json", base=location, where="/z")
    assert loader.load(other, where="/z") == {"type": "string"}
    assert loader.resolve("", base=location, where="/z") == location


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("../secret.yaml", "is outside the document's folder"),
        ("schemas/../../secret.yaml", "is outside the document's folder"),
        ("/etc/passwd", "is outside the document's folder"),
        ("file:///etc/passwd", "not to file: URLs"),
        ("http://127.0.0.1:1/x.yaml", "not to http: URLs"),
        ("//example.com/x.yaml", "not to other hosts"),
    ],
)
def test_references_that_leave_the_folder_are_refused(
    folder: Path, reference: str, message: str
) -> None:
    loader = FolderLoader(folder / "openapi.yaml")
    with pytest.raises(BadReference, match=message) as caught:
        loader.resolve(reference, base=loader.root, where="/paths/~1a/$ref")
    assert caught.value.location == "/paths/~1a/$ref"


def test_a_symlink_out_of_the_folder_is_refused(folder: Path) -> None:
    os.symlink(folder.parent / "secret.yaml", folder / "innocent.yaml")
    loader = FolderLoader(folder / "openapi.yaml")
    with pytest.raises(BadReference, match=r"secret\.yaml is outside the document's folder"):
        loader.resolve("innocent.yaml", base=loader.root, where="/a")


def test_missing_large_and_malformed_siblings(folder: Path) -> None:
    (folder / "big.yaml").write_bytes(b"a: " + b"x" * 200)
    (folder / "dup.yaml").write_text("a: 1\na: 2\n")
    loader = FolderLoader(folder / "openapi.yaml", settings=Settings(max_document_bytes=100))
    missing = loader.resolve("nope.yaml", base=loader.root, where="/m")
    with pytest.raises(SourceError, match=r"nope\.yaml: no such file") as caught:
        loader.load(missing, where="/m")
    assert not isinstance(caught.value, SourceUnreachable)
    with pytest.raises(DocumentError, match="larger than the 100-byte cap"):
        loader.load(loader.resolve("big.yaml", base=loader.root, where="/b"), where="/b")
    with pytest.raises(DocumentError, match="duplicate key 'a'") as duplicate:
        loader.load(loader.resolve("dup.yaml", base=loader.root, where="/d"), where="/d")
    assert duplicate.value.location is not None
    assert duplicate.value.location.endswith("dup.yaml:2:1")


def test_the_number_of_files_is_capped(folder: Path) -> None:
    for index in range(3):
        (folder / f"f{index}.yaml").write_text("{}\n")
    loader = FolderLoader(folder / "openapi.yaml", settings=Settings(max_referenced_documents=3))
    for index in range(2):
        loader.load(loader.resolve(f"f{index}.yaml", base=loader.root, where="/"), where="/")
    with pytest.raises(BadReference, match="spans more than 3 files"):
        loader.load(loader.resolve("f2.yaml", base=loader.root, where="/f"), where="/f")


def test_a_document_in_memory_has_no_siblings() -> None:
    loader = DocumentLoader()
    with pytest.raises(SourceError, match="given in memory"):
        loader.resolve("pet.yaml", base="", where="/a")


def test_loader_for_picks_by_source(folder: Path) -> None:
    assert type(loader_for(None)) is DocumentLoader
    assert type(loader_for(str(folder / "openapi.yaml"))) is FolderLoader
    assert type(loader_for("https://example.com/api/openapi.yaml")) is OriginLoader


def test_siblings_on_the_same_origin_are_fetched() -> None:
    routes = {
        "/api/openapi.yaml": Reply(body=b"openapi: 3.1.0\n"),
        "/api/schemas/pet.yaml": Reply(body=b"type: object\n"),
        "/elsewhere/common.json": Reply(body=b'{"a": 1}'),
        "/api/moved.yaml": Reply(301, headers={"Location": "/api/schemas/pet.yaml"}),
    }
    with serve(routes) as server, OriginLoader(server.url("/api/openapi.yaml")) as loader:
        pet = loader.resolve("schemas/pet.yaml", base=loader.root, where="/a")
        assert loader.name(pet) == "schemas/pet.yaml"
        assert loader.load(pet, where="/a") == {"type": "object"}
        common = loader.resolve("/elsewhere/common.json", base=pet, where="/b")
        assert loader.load(common, where="/b") == {"a": 1}
        moved = loader.resolve("moved.yaml", base=loader.root, where="/c")
        assert loader.load(moved, where="/c") == {"type": "object"}
        loader.load(pet, where="/a")
        assert server.requests == [
            "/api/schemas/pet.yaml",
            "/elsewhere/common.json",
            "/api/moved.yaml",
            "/api/schemas/pet.yaml",
        ]


def test_other_origins_are_refused_before_any_request() -> None:
    with serve({"/x.yaml": Reply(body=b"{}")}) as other:
        with serve({"/api/openapi.yaml": Reply(body=b"{}")}) as server:
            loader = OriginLoader(server.url("/api/openapi.yaml"))
            for reference in (other.url("/x.yaml"), "file:///etc/passwd", "//evil.example/x"):
                with pytest.raises(BadReference, match="refused"):
                    loader.resolve(reference, base=loader.root, where="/r")
        assert other.requests == []


def test_a_redirect_to_another_origin_is_refused_before_it_is_followed() -> None:
    with serve({"/x.yaml": Reply(body=b"{}")}) as other:
        routes = {"/api/pet.yaml": Reply(302, headers={"Location": other.url("/x.yaml")})}
        with serve(routes) as server, OriginLoader(server.url("/api/openapi.yaml")) as loader:
            pet = loader.resolve("pet.yaml", base=loader.root, where="/p")
            with pytest.raises(BadReference, match=r"redirects to .* not on the document's origin"):
                loader.load(pet, where="/p")
            assert server.requests == ["/api/pet.yaml"]
        assert other.requests == []


def test_http_failures_are_told_apart() -> None:
    routes = {
        "/api/gone.yaml": Reply(404),
        "/api/down.yaml": Reply(503),
        "/api/loop.yaml": Reply(302, headers={"Location": "/api/loop.yaml"}),
        "/api/big.yaml": Reply(body=b"x" * 500),
    }
    settings = Settings(max_document_bytes=100, max_redirects=2)
    with serve(routes) as server:
        loader = OriginLoader(server.url("/api/openapi.yaml"), settings=settings)

        def load(name: str) -> object:
            return loader.load(loader.resolve(name, base=loader.root, where="/w"), where="/w")

        with pytest.raises(SourceError, match="answered HTTP 404") as gone:
            load("gone.yaml")
        assert not isinstance(gone.value, SourceUnreachable)
        with pytest.raises(SourceUnreachable, match="answered HTTP 503"):
            load("down.yaml")
        with pytest.raises(SourceError, match="redirects more than 2 times"):
            load("loop.yaml")
        with pytest.raises(DocumentError, match="larger than the 100-byte cap"):
            load("big.yaml")
        loader.close()


def test_a_refusal_reads_refused_reference_then_why(folder: Path) -> None:
    """Callers (SOAP's import resolver) put ``why`` in their own words: the shape is a contract."""
    loader = FolderLoader(folder / "openapi.yaml")
    for reference in ("../secret.yaml", "http://127.0.0.1:1/x.yaml", "//example.com/x"):
        with pytest.raises(BadReference) as caught:
            loader.resolve(reference, base=loader.root, where="/r")
        assert caught.value.message.startswith(f"refused {reference!r}: ")
    with serve({"/x.yaml": Reply(body=b"{}")}) as other:
        routes = {"/api/pet.yaml": Reply(302, headers={"Location": other.url("/x.yaml")})}
        with serve(routes) as server, OriginLoader(server.url("/api/openapi.yaml")) as remote:
            elsewhere = other.url("/x.yaml")
            with pytest.raises(BadReference) as caught:
                remote.resolve(elsewhere, base=remote.root, where="/o")
            assert caught.value.message.startswith(f"refused {elsewhere!r}: ")
            pet = remote.resolve("pet.yaml", base=remote.root, where="/p")
            with pytest.raises(BadReference) as caught:
                remote.read(pet, where="/p")
            assert caught.value.message.startswith("refused: ")
