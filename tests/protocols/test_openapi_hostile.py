"""Hostile descriptions: each ends in a clear error naming the location, quickly, touching nothing.

Every case runs ``connectory.inspect`` (fetch, parse, generate, validate; nothing is stored) on real
files in ``tmp_path`` or a real loopback server, and checks the error's type and location, a time
bound (generous: 5 s), and that no file outside the folder and no other host was read.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from connectory.errors import BadReference, ConnectoryError, DocumentError, SourceError
from connectory.onboarding import inspect
from connectory.settings import Settings
from tests.support.servers import Reply, serve

LIMIT = 5.0
INFO = {"title": "Hostile", "version": "1"}


def openapi(**parts: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": INFO, "paths": {}, **parts}


def write(folder: Path, files: dict[str, Any]) -> Path:
    """Write ``files`` (name -> JSON value, or text) under ``folder``; the folder."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return folder


def refused(
    source: str | Path, error: type[ConnectoryError], *, settings: Settings | None = None
) -> ConnectoryError:
    """The error ``inspect(source)`` raises, within ``LIMIT`` seconds."""
    started = time.process_time()
    with pytest.raises(error) as caught:
        inspect(source, settings=settings or Settings())
    elapsed = time.process_time() - started
    assert elapsed < LIMIT, f"took {elapsed:.1f} s"
    return caught.value


@contextmanager
def untouchable(path: Path) -> Iterator[Path]:
    """A FIFO at ``path``: opening it blocks, so a test that reads it hangs and then fails."""
    os.mkfifo(path)
    opened = threading.Event()

    def watch() -> None:  # unblocks an accidental reader, and tells on it
        with open(path, "wb"):
            opened.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield path
    finally:
        assert not opened.is_set(), f"{path} was opened"
        with open(path, "rb"):  # release the watcher
            pass
        watcher.join(2)


def parameter_ref(target: str) -> dict[str, Any]:
    return openapi(paths={"/a": {"get": {"parameters": [{"$ref": target}], "responses": {}}}})


# -- references out of the folder or origin --------------------------------------------------------


@pytest.mark.parametrize("reference", ["../secret.yaml", "../../../secret.yaml#/x", "ABSOLUTE"])
def test_a_ref_out_of_the_folder(tmp_path: Path, reference: str) -> None:
    with untouchable(tmp_path / "secret.yaml") as secret:
        target = str(secret) if reference == "ABSOLUTE" else reference
        folder = write(tmp_path / "api", {"openapi.json": parameter_ref(target)})
        error = refused(folder, BadReference)
    assert error.location == "/paths/~1a/get/parameters/0/$ref"
    assert "outside the document's folder" in error.message


def test_a_symlinked_sibling_that_leads_out(tmp_path: Path) -> None:
    with untouchable(tmp_path / "secret.yaml") as secret:
        folder = write(tmp_path / "api", {"openapi.json": parameter_ref("params.yaml#/p")})
        os.symlink(secret, folder / "params.yaml")
        error = refused(folder, BadReference)
    assert error.location == "/paths/~1a/get/parameters/0/$ref"


def test_a_ref_to_another_host_from_a_file(tmp_path: Path) -> None:
    with serve({"/x.yaml": Reply(body=b"{}")}) as other:
        schema = {"$ref": other.url("/x.yaml")}
        document = openapi(components={"schemas": {"Remote": schema}})
        error = refused(write(tmp_path, {"openapi.json": document}), BadReference)
    assert other.requests == []
    assert error.location == "/components/schemas/Remote/$ref"
    assert "not to http: URLs" in error.message


def test_a_ref_to_another_host_from_a_url() -> None:
    with serve({"/x.yaml": Reply(body=b"{}")}) as other:
        document = parameter_ref(other.url("/x.yaml#/p"))
        with serve({"/api/openapi.json": Reply(body=json.dumps(document).encode())}) as server:
            error = refused(server.url("/api/openapi.json"), BadReference)
            assert server.requests == ["/api/openapi.json"]
    assert other.requests == []
    assert error.location == "/paths/~1a/get/parameters/0/$ref"
    assert "is not on the document's origin" in error.message


def test_a_redirect_to_another_host() -> None:
    with serve({"/p.yaml": Reply(body=b"p: {name: x, in: query}")}) as other:
        routes = {
            "/api/openapi.json": Reply(body=json.dumps(parameter_ref("p.yaml#/p")).encode()),
            "/api/p.yaml": Reply(307, headers={"Location": other.url("/p.yaml")}),
        }
        with serve(routes) as server:
            error = refused(server.url("/api/openapi.json"), BadReference)
            assert server.requests == ["/api/openapi.json", "/api/p.yaml"]
    assert other.requests == []
    assert error.location == "/paths/~1a/get/parameters/0/$ref"


# -- references that loop, chain or fan out -----------------------------------------------------


def test_a_loop_of_parameter_refs(tmp_path: Path) -> None:
    document = parameter_ref("#/components/parameters/a")
    document["components"] = {
        "parameters": {
            "a": {"$ref": "#/components/parameters/b"},
            "b": {"$ref": "#/components/parameters/a"},
        }
    }
    error = refused(write(tmp_path, {"openapi.json": document}), BadReference)
    assert error.location == "/components/parameters/b/$ref"
    assert "the parameter reference loops: /paths/~1a/get/parameters/0 -> " in error.message


def test_a_path_item_that_refers_to_itself(tmp_path: Path) -> None:
    document = openapi(paths={"/a": {"$ref": "#/paths/~1a"}})
    error = refused(write(tmp_path, {"openapi.json": document}), BadReference)
    assert error.location == "/paths/~1a/$ref"


def test_a_loop_of_responses_across_files(tmp_path: Path) -> None:
    get = {"responses": {"200": {"$ref": "a.yaml#/R"}}}
    folder = write(
        tmp_path,
        {
            "openapi.json": openapi(paths={"/a": {"get": get}}),
            "a.yaml": "R: {$ref: 'b.yaml#/R'}\n",
            "b.yaml": "R: {$ref: 'a.yaml#/R'}\n",
        },
    )
    error = refused(folder, BadReference)
    assert error.location == "b.yaml#/R/$ref"
    assert "a.yaml#/R -> b.yaml#/R -> a.yaml#/R" in error.message


CHAIN = 10_001


def test_a_chain_of_10_000_parameter_refs(tmp_path: Path) -> None:
    parameters = {f"p{i}": {"$ref": f"#/components/parameters/p{i + 1}"} for i in range(CHAIN)}
    parameters[f"p{CHAIN}"] = {"name": "x", "in": "query"}
    document = parameter_ref("#/components/parameters/p0")
    document["components"] = {"parameters": parameters}
    error = refused(write(tmp_path, {"openapi.json": document}), BadReference)
    assert error.location == "/paths/~1a/get/parameters/0/$ref"
    assert "chain is longer than 100 references" in error.message


def test_a_chain_of_10_000_definition_refs(tmp_path: Path) -> None:
    schemas = {f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(CHAIN)}
    schemas[f"S{CHAIN}"] = {"type": "string"}
    document = openapi(components={"schemas": schemas})
    error = refused(write(tmp_path, {"openapi.json": document}), BadReference)
    assert error.location == f"/components/schemas/S{CHAIN - 101}/$ref"
    assert "chain of more than 100 references to references" in error.message


def test_a_chain_of_10_000_inlined_schema_refs(tmp_path: Path) -> None:
    steps = {f"s{i}": {"$ref": f"#/x-steps/s{i + 1}"} for i in range(CHAIN)}
    steps[f"s{CHAIN}"] = {"type": "string"}
    document = openapi(components={"schemas": {"S": {"$ref": "#/x-steps/s0"}}})
    document["x-steps"] = steps
    error = refused(write(tmp_path, {"openapi.json": document}), BadReference)
    assert error.location == "/x-steps/s99/$ref"  # the 101st reference in a row


def test_a_chain_of_files(tmp_path: Path) -> None:
    files: dict[str, Any] = {f"s{i}.yaml": f"$ref: s{i + 1}.yaml\n" for i in range(150)}
    files["openapi.json"] = openapi(components={"schemas": {"S": {"$ref": "s0.yaml"}}})
    settings = Settings(max_referenced_documents=100)
    error = refused(write(tmp_path, files), BadReference, settings=settings)
    assert error.location is not None
    assert error.location.endswith("#/$ref")
    assert "spans more than 100 files" in error.message


def test_inlined_refs_that_fan_out_exponentially(tmp_path: Path) -> None:
    levels = {f"l{i}": {"allOf": [{"$ref": f"#/x-levels/l{i + 1}"}] * 2} for i in range(60)}
    levels["l60"] = {"type": "string"}
    document = openapi(components={"schemas": {"Bomb": {"$ref": "#/x-levels/l0"}}})
    document["x-levels"] = levels
    error = refused(write(tmp_path, {"openapi.json": document}), BadReference)
    assert "expand to more than 1,000,000 nodes" in error.message
    assert error.location is not None
    assert error.location.startswith("/x-levels/l")


def test_definitions_that_fan_out_stay_refs_and_examples_are_cut_short(tmp_path: Path) -> None:
    schemas = {
        f"L{i}": {"allOf": [{"$ref": f"#/components/schemas/L{i + 1}"}] * 2} for i in range(60)
    }
    schemas["L60"] = {"type": "object"}
    schemas["L0"]["example"] = {}
    document = openapi(components={"schemas": schemas})
    settings = Settings(example_check_seconds=0.5)
    started = time.process_time()
    version = inspect(write(tmp_path, {"openapi.json": document}), settings=settings)
    assert time.process_time() - started < LIMIT
    assert len(version.definitions) == 61
    assert [f.kind for f in version.findings] == ["examples-not-checked"]


# -- documents that are not well-formed, or too large --------------------------------------------

BOMB = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
)


@pytest.mark.parametrize(
    ("name", "text", "message", "where"),
    [
        ("bomb.yaml", "openapi: 3.0.3\n" + BOMB, "aliases expand to more than", ":8:5"),
        ("loop.yaml", "openapi: 3.0.3\npaths: &p {a: *p}\n", "alias refers to a node that", ":2:"),
        ("tag.yaml", "openapi: !!python/object/apply:os.system [id]\n", "constructor", ":1:"),
        ("dup.yaml", "openapi: 3.0.3\npaths: {}\npaths: {}\n", "duplicate key 'paths'", ":3:1"),
        ("dup.json", '{"openapi": "3.0.3",\n "openapi": "3.1.0"}', "duplicate key", ":2:2"),
        ("deep.json", '{"openapi": "3.0.3", "x": ' + "[" * 100_000, "nested too deeply", ":1:926"),
        ("nan.json", '{"openapi": "3.0.3", "x": NaN}', "NaN is not JSON", ":1:27"),
        ("inf.json", '{"openapi": "3.0.3", "x": -Infinity}', "Infinity is not JSON", ":1:27"),
        ("nan.yaml", "openapi: 3.0.3\nx: .nan\n", "nan is not a JSON number", ":2:4"),
    ],
)
def test_a_malformed_document(
    tmp_path: Path, name: str, text: str, message: str, where: str
) -> None:
    (tmp_path / name).write_text(text)
    error = refused(tmp_path / name, DocumentError)
    assert message in error.message
    assert error.location is not None
    assert error.location.startswith(str(tmp_path / name))
    assert where in error.location


def test_a_malformed_sibling_is_named(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        {"openapi.json": parameter_ref("p.yaml#/p"), "p.yaml": "p: {name: a}\np: {name: b}\n"},
    )
    error = refused(folder, DocumentError)
    assert error.location == f"{tmp_path / 'p.yaml'}:2:1"


def test_a_document_above_the_size_cap(tmp_path: Path) -> None:
    assert Settings().max_document_bytes == 64 * 1024 * 1024
    write(tmp_path, {"openapi.json": openapi(description="x" * 5000)})
    error = refused(tmp_path, SourceError, settings=Settings(max_document_bytes=4096))
    assert "larger than the 4,096-byte cap" in error.message
    assert error.location == str(tmp_path)


def test_a_sibling_above_the_size_cap(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        {"openapi.json": parameter_ref("p.yaml#/p"), "p.yaml": "p: {name: a, in: query}\n" * 1},
    )
    (folder / "p.yaml").write_text("p: {name: a, in: query}\nx: " + "y" * 5000 + "\n")
    error = refused(folder, DocumentError, settings=Settings(max_document_bytes=4096))
    assert error.location == "/paths/~1a/get/parameters/0/$ref"
    assert "p.yaml is larger than the 4,096-byte cap" in error.message


# -- what stays a finding ---------------------------------------------------------------------------


def test_unresolvable_refs_and_missing_files_are_findings(tmp_path: Path) -> None:
    document = parameter_ref("missing.yaml#/p")
    document["components"] = {"schemas": {"S": {"$ref": "nowhere.json"}}}
    version = inspect(write(tmp_path, {"openapi.json": document}))
    assert {(f.kind, f.location) for f in version.findings} == {
        ("unresolvable-ref", "/paths/~1a/get/parameters/0/$ref"),
        ("unresolvable-ref", "/components/schemas/S/$ref"),
    }


def _timed(fn: Callable[[], object]) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


def test_a_backtracking_pattern_is_not_run_against_examples(tmp_path: Path) -> None:
    schema = {"type": "string", "pattern": "^(a+)+$", "example": "a" * 40 + "!"}
    document = openapi(components={"schemas": {"S": schema}})
    folder = write(tmp_path, {"openapi.json": document})
    assert _timed(lambda: inspect(folder)) < LIMIT
