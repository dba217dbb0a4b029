"""The ``connectory`` command, run through the installed console script in a subprocess."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import GITHUB_OPENAPI, corpus_absent
from tests.support.servers import Reply, serve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"


def test_inspect_prints_the_version_as_json_and_stores_nothing(run, sqlite_url: str) -> None:
    result = run("inspect", str(EXAMPLE), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["connector"] == "1password-local-connect"  # its APIs.guru id
    assert data["protocol"] == "http"
    assert len(data["actions"]) == 15
    assert {"name", "binding", "input", "outputs"} <= set(data["actions"][0])
    assert [m["type"] for m in data["auth_methods"]] == ["http_bearer"]
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_inspect_shows_tables(run) -> None:
    result = run("inspect", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert "15 actions" in result.stdout
    assert "GET /vaults/{vaultUuid}" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ('{"openapi": "3.0.0", ', "not valid JSON"),
        ("title: not an api\n", "not an interface description"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(run, tmp_path: Path, content, message) -> None:
    path = tmp_path / "doc.yaml"
    if content is not None:
        path.write_text(content)
    result = run("inspect", str(path))
    assert result.returncode == 2
    assert message in result.stderr
    assert "doc.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_wrong_protocol_and_unreachable_url_exit_2(run) -> None:
    result = run("inspect", str(EXAMPLE), "--protocol", "graphql")
    assert result.returncode == 2
    assert "not GraphQL as asked" in result.stderr
    with serve({}) as server:
        result = run("inspect", server.url("/missing.json"))
    assert result.returncode == 2
    assert "HTTP 404" in result.stderr


def test_debug_shows_the_traceback(run, tmp_path: Path) -> None:
    result = run("--debug", "inspect", str(tmp_path / "nope.json"))
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_onboard_list_show_publish_delete(run, prefect_api_url: str) -> None:
    result = run("onboard", str(EXAMPLE), "--name", "op", "--json", api_url=prefect_api_url)
    assert result.returncode == 0, result.stderr
    drafted = json.loads(result.stdout)
    assert (drafted["version"], drafted["state"]) == ("1.5.7", "draft")

    listed = json.loads(run("list", "--json").stdout)
    assert [c["name"] for c in listed] == ["op"]

    result = run("show", "op@latest")
    assert result.returncode == 2
    assert "no published version of op to resolve 'latest' (known: 1.5.7)" in result.stderr

    result = run("publish", "op@1.5.7")
    assert result.returncode == 0, result.stderr
    assert "Published op@1.5.7" in result.stdout
    result = run("publish", "op@1.5.7")
    assert result.returncode == 1
    assert "already published" in result.stderr

    shown = json.loads(run("show", "op@latest", "--json").stdout)
    assert shown["state"] == "published"
    assert shown["actions"] == drafted["actions"]

    result = run("delete", "op@1.5.7")
    assert result.returncode == 1
    assert "--yes" in result.stderr
    assert json.loads(run("show", "op@1.5.7", "--json").stdout)["state"] == "published"

    result = run("delete", "op@1.5.7", "--yes", "--reason", "test")
    assert result.returncode == 0, result.stderr
    assert run("show", "op@1.5.7").returncode == 2


def test_onboard_a_bad_document_writes_nothing(run, tmp_path: Path, sqlite_url, prefect_api_url):
    bad = tmp_path / "bad.json"
    bad.write_text('{"openapi": "3.0.0", "paths": ')
    result = run("onboard", str(bad), "--name", "bad", api_url=prefect_api_url)
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        assert db.execute("SELECT count(*) FROM connectors").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM versions").fetchone() == (0,)


@pytest.mark.slow
def test_github_onboards_with_845_actions_and_publishes(run, sqlite_url, prefect_api_url) -> None:
    if not GITHUB_OPENAPI.exists():
        corpus_absent(GITHUB_OPENAPI)
    result = run(
        "onboard", str(GITHUB_OPENAPI), "--name", "github", "--json", api_url=prefect_api_url
    )
    assert result.returncode == 0, result.stderr
    version = json.loads(result.stdout)
    assert len(version["actions"]) == 845
    label = version["version"]
    assert run("publish", f"github@{label}").returncode == 0

    again = run(
        "onboard", str(GITHUB_OPENAPI), "--name", "github", "--json", api_url=prefect_api_url
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["version"] == label
    assert len(json.loads(run("versions", "github", "--json").stdout)) == 1

    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        with pytest.raises(sqlite3.DatabaseError, match="immutable"):
            db.execute("UPDATE actions SET name = 'x' WHERE rowid = 1")
        with pytest.raises(sqlite3.DatabaseError, match="immutable"):
            db.execute("DELETE FROM versions")
    shown = json.loads(run("show", f"github@{label}", "--json").stdout)
    assert shown["actions"] == version["actions"]


OPENAPI_MULTI = Path(__file__).resolve().parents[1] / "fixtures" / "openapi" / "openapi-multi"


def test_inspect_a_description_split_across_files(run) -> None:
    result = run("inspect", str(OPENAPI_MULTI), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["source"] == str(OPENAPI_MULTI / "openapi.yaml")
    assert len(data["actions"]) == 8
    assert {"Order", "Category", "Customer"} <= {d["name"] for d in data["definitions"]}
    assert [t["kind"] for t in data["triggers"]] == ["webhook", "callback"]


def _escaping_folder(tmp_path: Path) -> Path:
    (tmp_path / "secret.yaml").write_text("p: {name: password, in: query}\n")
    folder = tmp_path / "api"
    folder.mkdir()
    get = {"parameters": [{"$ref": "../secret.yaml#/p"}], "responses": {}}
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": get}},
    }
    (folder / "openapi.json").write_text(json.dumps(document))
    return folder


def test_a_refused_ref_exits_2_naming_where(run, tmp_path: Path) -> None:
    result = run("inspect", str(_escaping_folder(tmp_path)))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "/paths/~1a/get/parameters/0/$ref" in line
    assert "outside the document's folder" in line


def test_onboard_a_refused_ref_writes_nothing(run, tmp_path: Path, sqlite_url, prefect_api_url):
    result = run(
        "onboard", str(_escaping_folder(tmp_path)), "--name", "bad", api_url=prefect_api_url
    )
    assert result.returncode == 2
    assert "outside the document's folder" in result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        assert db.execute("SELECT count(*) FROM versions").fetchone() == (0,)


def test_onboard_says_when_it_tries_again(run, prefect_api_url: str) -> None:
    """A fetch that fails for a passing reason is tried again, and the console says so in a line
    of its own (Prefect's own INFO line for it is not shown without --verbose)."""
    body = (
        Path(__file__).resolve().parents[2] / "examples/openapi/1password-connect.json"
    ).read_bytes()
    calls: list[int] = []

    def flaky(_: object) -> Reply:
        calls.append(1)
        return Reply(503, b"busy") if len(calls) < 3 else Reply(body=body)

    with serve({"/connect.json": flaky}) as server:
        result = run(
            "onboard", server.url("/connect.json"), "--name", "op",
            api_url=prefect_api_url,
            env={"PREFECT_LOGGING_LEVEL": "INFO", "CONNECTORY_RETRY_DELAYS": "0.1,0.1,0.1"},
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(calls) == 3
    retries = [line for line in result.stderr.splitlines() if "trying again" in line]
    assert len(retries) == 2, result.stderr
    assert retries[0].startswith("fetch: ")
    assert "HTTP 503" in retries[0]
    assert retries[0].endswith("trying again in 0.1 s (retry 1 of 3)")
    assert retries[1].endswith("(retry 2 of 3)")
    assert "Task run failed with" not in result.stderr  # Prefect's INFO line stays off the console
