"""The HTTP API, served by uvicorn on loopback and called over HTTP."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from connectory import inspect
from connectory.api import create_app
from connectory.catalog import Catalog
from connectory.settings import Settings
from tests.support.samples import small_version

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"
TOKEN = "api-t0ken-value"
MIB = 1024 * 1024


def _serve(app: object) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def api(sqlite_url: str) -> Iterator[httpx.Client]:
    with Catalog.open(sqlite_url) as catalog:
        drafted = catalog.draft(inspect(EXAMPLE, connector="onepassword"))
        catalog.publish("onepassword", drafted.version.version or "")
    for base in _serve(create_app(sqlite_url)):
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client


def test_read_the_catalogue(api: httpx.Client) -> None:
    assert api.get("/health").json() == {"status": "ok"}
    assert api.get("/").json() == {  # a newcomer's curl / found a 404
        "name": "Connectory",
        "docs": "/docs",
        "openapi": "/openapi.json",
        "connectors": "/connectors",
        "health": "/health",
    }
    assert api.get(api.get("/").json()["docs"]).status_code == 200
    assert [c["name"] for c in api.get("/connectors").json()] == ["onepassword"]
    assert api.get("/connectors/onepassword").json()["default_version"] == "1.5.7"
    versions = api.get("/connectors/onepassword/versions").json()
    assert [(v["label"], v["state"]) for v in versions] == [("1.5.7", "published")]
    latest = api.get("/connectors/onepassword/versions/latest").json()
    assert (latest["version"], len(latest["actions"])) == ("1.5.7", 15)


def test_errors_have_the_status_their_kind_means(api: httpx.Client) -> None:
    missing = api.get("/connectors/nobody")
    assert missing.status_code == 404
    assert missing.json()["error"] == "NotFound"
    bad = api.get("/connectors/onepassword/versions/9.9.9")
    assert bad.status_code == 404
    refused = api.delete("/connectors/onepassword/versions/1.5.7")
    assert refused.status_code == 409
    assert refused.json()["error"] == "ConfirmationRequired"


def test_create_publish_vet_deprecate_and_delete_by_hand(api: httpx.Client) -> None:
    one = small_version(connector="acme", seed="1").model_dump(mode="json", by_alias=True)
    created = api.post("/connectors/acme/versions", params={"label": "1.0.0"}, json=one)
    assert created.status_code == 201, created.text
    assert (created.json()["created"], created.json()["version"]["state"]) == (True, "draft")
    again = api.post("/connectors/acme/versions", params={"label": "1.0.0"}, json=one)
    assert again.json()["created"] is False  # same document: nothing new
    wrong = api.post("/connectors/other/versions", json=one)
    assert (wrong.status_code, wrong.json()["error"]) == (400, "InputError")
    invalid = api.post("/connectors/acme/versions", json={"connector": "acme"})
    assert (invalid.status_code, invalid.json()["error"]) == (400, "RequestInvalid")
    assert invalid.json()["location"].startswith("body.")

    vetting = {"connector": "acme", "version": "1.0.0", "reviewer": "ann", "verdict": "approved"}
    assert api.post("/connectors/acme/versions/1.0.0/vettings", json=vetting).status_code == 201
    published = api.post("/connectors/acme/versions/1.0.0/publish")
    assert published.json()["state"] == "published"
    assert [v["verdict"] for v in api.get("/connectors/acme/vettings").json()] == ["approved"]

    two = small_version(connector="acme", seed="2", actions=("list-things",))
    body = two.model_dump(mode="json", by_alias=True)
    api.post("/connectors/acme/versions", params={"label": "1.1.0"}, json=body)
    changes = api.get("/connectors/acme/versions/1.1.0/changes", params={"since": "1.0.0"})
    assert any(c["level"] == "breaking" for c in changes.json())
    refused = api.post("/connectors/acme/versions/1.1.0/publish")
    assert (refused.status_code, refused.json()["error"]) == (409, "PublishRefused")

    deprecated = api.post(
        "/connectors/acme/versions/1.0.0/deprecate", json={"sunset": "2031-01-01"}
    )
    assert api.get("/connectors/acme/versions/1.0.0").json()["state"] == "deprecated"
    assert deprecated.json()["sunset"] == "2031-01-01"
    gone = api.delete("/connectors/acme/versions/1.0.0", params={"confirm": True})
    assert gone.status_code == 200, gone.text
    assert api.get("/connectors/acme/versions/1.0.0").status_code == 404


def test_a_posted_version_cannot_claim_a_hash(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sha256 of a version posted over the API was whatever its body said: a second version
    claiming the first one's was "already stored", and an approval of one carried over to another
    with the same claim. Now the store hashes what it is given."""
    monkeypatch.setenv("CONNECTORY_REQUIRE_APPROVAL", "1")
    with Catalog.open(sqlite_url) as catalog:
        for base in _serve(create_app(sqlite_url)):
            with httpx.Client(base_url=base, timeout=30) as api:
                one = small_version(connector="acme", seed="1").model_dump(
                    mode="json", by_alias=True
                )
                first = api.post("/connectors/acme/versions", params={"label": "1.0.0"}, json=one)
                assert first.status_code == 201, first.text
                stored = first.json()["version"]
                assert stored["sha256"] != one["sha256"]  # computed, not taken
                assert stored["sha256"] == stored["content_sha256"]

                other = small_version(connector="acme", seed="1", actions=("wipe",))
                claiming = other.model_dump(mode="json", by_alias=True)
                claiming["sha256"] = stored["sha256"]  # the first one's hash, claimed
                second = api.post(
                    "/connectors/acme/versions", params={"label": "1.2.0"}, json=claiming
                )
                assert (second.status_code, second.json()["created"]) == (201, True)

                vetting = {"connector": "acme", "version": "2.0.0", "reviewer": "a"}
                vetting["verdict"] = "approved"
                two = small_version(connector="acme", seed="2").model_dump(
                    mode="json", by_alias=True
                )
                api.post("/connectors/acme/versions", params={"label": "2.0.0"}, json=two)
                approved = api.post("/connectors/acme/versions/2.0.0/vettings", json=vetting)
                assert approved.status_code == 201, approved.text
                assert api.delete("/connectors/acme/versions/2.0.0").status_code == 200
                worse = small_version(connector="acme", seed="2", actions=("wipe", "all"))
                forged = worse.model_dump(mode="json", by_alias=True)
                forged["sha256"] = approved.json()["sha256"]  # the approval's hash, claimed
                swapped = api.post(
                    "/connectors/acme/versions", params={"label": "2.0.0"}, json=forged
                )
                assert swapped.status_code == 201
                refused = api.post("/connectors/acme/versions/2.0.0/publish")
                assert (refused.status_code, refused.json()["error"]) == (409, "Conflict")
                assert "content changed since it was vetted" in refused.json()["message"]
        assert catalog.get_version("acme", "2.0.0").state == "draft"


def test_a_review_binds_to_what_the_reviewer_read(api: httpx.Client) -> None:
    """A reviewer reads draft 2.0.0 and approves it; meanwhile a teammate with the token deletes it
    and posts another 2.0.0. The vetting (and a publish) carry the content_sha256 the reviewer
    read: both are refused rather than approving, or publishing, what nobody reviewed."""
    one = small_version(connector="acme", seed="1").model_dump(mode="json", by_alias=True)
    api.post("/connectors/acme/versions", params={"label": "2.0.0"}, json=one)
    read = api.get("/connectors/acme/versions/2.0.0").json()["content_sha256"]

    assert api.delete("/connectors/acme/versions/2.0.0").status_code == 200
    other = small_version(connector="acme", seed="1", actions=("wipe",))
    swapped = other.model_dump(mode="json", by_alias=True)
    assert api.post("/connectors/acme/versions", params={"label": "2.0.0"}, json=swapped).status_code == 201  # fmt: skip

    vetting = {"connector": "acme", "version": "2.0.0", "reviewer": "ann", "verdict": "approved"}
    refused = api.post("/connectors/acme/versions/2.0.0/vettings", json={**vetting, "sha256": read})
    assert (refused.status_code, refused.json()["error"]) == (409, "Conflict")
    assert "changed while it was being reviewed" in refused.json()["message"]
    assert api.get("/connectors/acme/vettings").json() == []

    published = api.post("/connectors/acme/versions/2.0.0/publish", params={"content_sha256": read})
    assert (published.status_code, published.json()["error"]) == (409, "Conflict")
    assert api.get("/connectors/acme/versions/2.0.0").json()["state"] == "draft"
    malformed = api.post("/connectors/acme/versions/2.0.0/publish", params={"content_sha256": "x"})
    assert (malformed.status_code, malformed.json()["location"]) == (400, "query.content_sha256")


def test_boards(api: httpx.Client) -> None:
    board = {"name": "sync", "uses": [{"connector": "onepassword", "version": "latest"}]}
    assert api.post("/boards", json=board).status_code == 201
    deployed = api.post("/boards/sync/deploy").json()
    assert deployed["uses"][0]["resolved_version"] == "1.5.7"
    assert [b["name"] for b in api.get("/boards").json()] == ["sync"]
    undeployed = api.post("/boards/sync/undeploy", params={"reason": "done"})
    assert undeployed.status_code == 200


def test_a_token_guards_every_route_but_health(sqlite_url: str) -> None:
    for base in _serve(create_app(sqlite_url, token=SecretStr(TOKEN))):
        with httpx.Client(base_url=base) as client:
            assert client.get("/health").status_code == 200
            denied = client.get("/connectors")
            assert denied.status_code == 401
            assert TOKEN not in denied.text
            wrong = client.get("/connectors", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            allowed = client.get("/connectors", headers={"Authorization": f"Bearer {TOKEN}"})
            assert allowed.status_code == 200


@pytest.fixture
def guarded(sqlite_url: str) -> Iterator[httpx.Client]:
    """The API with a token, its body cap at 1 MiB; the client sends no token by itself."""
    app = create_app(sqlite_url, token=SecretStr(TOKEN), settings=Settings(max_document_bytes=MIB))
    for base in _serve(app):
        with httpx.Client(base_url=base, timeout=10) as client:
            yield client


BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    "authorization",
    [b"Bearer t\xe9k", b"Bearer " + TOKEN.encode() + b"\xff", b"\xe9", b"Basic \xe9\xe9"],
)
def test_any_bytes_in_the_authorization_header_are_a_wrong_token(
    guarded: httpx.Client, authorization: bytes
) -> None:
    denied = guarded.get("/connectors", headers={"Authorization": authorization})
    assert (denied.status_code, denied.json()["error"]) == (401, "Unauthorised")
    hook = guarded.post("/hooks/nobody/ping", headers={"Authorization": authorization})
    assert hook.status_code == 404


def test_the_description_and_the_docs_need_the_token(guarded: httpx.Client) -> None:
    assert guarded.get("/health").status_code == 200
    for path in ("/openapi.json", "/docs", "/redoc", "/nowhere"):
        assert guarded.get(path).status_code == 401, path
    assert guarded.get("/openapi.json", headers=BEARER).status_code == 200
    assert "swagger-ui" in guarded.get("/docs", headers=BEARER).text


def test_a_deprecation_needs_a_sunset_and_answers_with_its_record(api: httpx.Client) -> None:
    url = "/connectors/onepassword/versions/1.5.7/deprecate"
    refused = {
        "missing": api.post(url, json={}),
        "past": api.post(url, json={"sunset": "2001-01-01"}),
        "not a date": api.post(url, json={"sunset": "soon"}),
        "malformed": api.post(
            url, content=b'{"sunset": ', headers={"Content-Type": "application/json"}
        ),
        "extra": api.post(url, json={"sunset": "2031-01-01", "when": "now"}),
    }
    assert {k: a.status_code for k, a in refused.items()} == dict.fromkeys(refused, 400)
    assert all(set(a.json()) >= {"error", "message", "location"} for a in refused.values())
    locations = {k: a.json()["location"] for k, a in refused.items()}
    assert locations == {
        "missing": "body.sunset",
        "past": "body.sunset",
        "not a date": "body.sunset",
        "malformed": "body:1:12",
        "extra": "body.when",
    }
    assert "2001-01-01 is in the past" in refused["past"].json()["message"]
    assert api.get("/connectors/onepassword/versions/1.5.7").json()["state"] == "published"

    done = api.post(url, json={"sunset": "2031-01-01"})
    assert done.status_code == 200, done.text
    record = done.json()
    assert set(record) == {
        "connector", "label", "deprecated_at", "sunset", "replacement", "url", "default",
        "default_moved",
    }  # fmt: skip
    assert (record["label"], record["sunset"], record["url"]) == (
        "1.5.7",
        "2031-01-01",
        "/connectors/onepassword/versions/1.5.7",
    )
    assert len(done.content) < 1000  # not the version (3.3 MB for Stripe)
    assert api.get(record["url"]).json()["state"] == "deprecated"
    # It was the default, without a replacement: default follows latest, and every version is
    # deprecated, so it names the newest of them, and says so.
    assert record["default_moved"] is True
    assert record["default"]["follows_latest"] is True
    assert "deprecated" in record["default"]["warning"]


def test_the_default_version_is_read_and_set(api: httpx.Client) -> None:
    url = "/connectors/onepassword/default"
    assert api.get(url).json() == {
        "connector": "onepassword",
        "label": "1.5.7",
        "follows_latest": False,
        "resolves_to": "1.5.7",
        "warning": None,
    }
    followed = api.put(url, json={"label": None})
    assert followed.status_code == 200, followed.text
    assert (followed.json()["follows_latest"], followed.json()["resolves_to"]) == (True, "1.5.7")
    assert api.get("/connectors/onepassword").json()["default_version"] is None
    assert api.put(url, json={"label": "1.5.7"}).json()["label"] == "1.5.7"
    missing = api.put(url, json={"label": "9.9.9"})
    assert (missing.status_code, missing.json()["error"]) == (404, "NotFound")
    bad = api.put(url, json={"label": "no/slash"})
    assert (bad.status_code, bad.json()["location"]) == (400, "body.label")
    unsaid = api.put(url, json={})
    assert (unsaid.status_code, unsaid.json()["location"]) == (400, "body.label")
    api.post("/connectors/onepassword/versions/1.5.7/deprecate", json={"sunset": "2031-01-01"})
    refused = api.put(url, json={"label": "1.5.7"})
    assert (refused.status_code, refused.json()["error"]) == (409, "Conflict")


@pytest.mark.parametrize("limit", ["-1", "0", "1001", str(10**30), str(-(10**30)), "1e3", "x"])
def test_a_limit_out_of_range_is_a_400_in_the_error_shape(api: httpx.Client, limit: str) -> None:
    answer = api.get("/connectors/onepassword/deliveries", params={"limit": limit})
    assert answer.status_code == 400
    assert answer.json()["error"] == "RequestInvalid"
    assert answer.json()["location"] == "query.limit"
    assert set(answer.json()) <= {"error", "message", "location", "details"}


def test_bad_names_and_paths_are_400_or_404_never_500(api: httpx.Client) -> None:
    answers = {
        path: api.get(path)
        for path in (
            "/connectors/..%2F..%2Fetc%2Fpasswd",
            "/connectors/%00",
            "/connectors/" + "a" * 65,
            "/connectors/ONEPASSWORD",
            "/connectors/onepassword/versions/..%2F1.5.7",
            "/connectors/onepassword/versions/1.5.7%0A",
            "/connectors/%F0%9F%98%80/versions",
            "/boards/%C3%A9",
            "/connectors/onepassword/deliveries?trigger=" + "t" * 201,
        )
    }
    routed_elsewhere = {p for p in answers if "%2F" in p}  # a decoded '/' matches no route
    assert {path: a.status_code for path, a in answers.items()} == {
        path: 404 if path in routed_elsewhere else 400 for path in answers
    }
    assert all(set(a.json()) >= {"error", "message", "location"} for a in answers.values())
    missing = api.get("/no/such/route")
    assert (missing.status_code, missing.json()["error"]) == (404, "NotFound")
    wrong = api.put("/connectors")
    assert (wrong.status_code, wrong.json()["error"]) == (405, "MethodNotAllowed")


def test_bodies_are_parsed_strictly_and_capped(guarded: httpx.Client) -> None:
    def create(content: bytes, **headers: str) -> httpx.Response:
        headers = {"Content-Type": "application/json", **BEARER, **headers}
        return guarded.post("/connectors/acme/versions", content=content, headers=headers)

    one = small_version(connector="acme", seed="1").model_dump(mode="json", by_alias=True)
    deep: object = {"type": "string"}
    for _ in range(300):
        deep = {"type": "array", "items": deep}
    one["definitions"] = [{"name": "Deep", "content": deep}]
    refused = {
        "deep": create(json.dumps(one).encode()),
        "nan": create(b'{"connector": NaN}'),
        "twice": create(b'{"connector": "acme", "connector": "acme"}'),
        "latin-1": create(b'{"connector": "\xe9"}'),
    }
    assert {k: a.status_code for k, a in refused.items()} == dict.fromkeys(refused, 400)
    assert refused["deep"].json()["message"] == "nested more than 200 levels deep"
    assert "duplicate key 'connector'" in refused["twice"].json()["message"]
    too_large = create(b"[" + b"1," * MIB + b"1]")
    chunked = create(iter([b"[" + b"1," * (MIB // 4)] * 5))  # no Content-Length
    assert [too_large.status_code, chunked.status_code] == [413, 413]
    assert guarded.get("/connectors", headers=BEARER).json() == []


def test_an_anonymous_body_is_refused_before_it_is_read(guarded: httpx.Client) -> None:
    url = guarded.base_url
    head = (
        f"POST /connectors/acme/versions HTTP/1.1\r\nHost: {url.host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {MIB // 2}\r\n\r\n"
    )
    with socket.create_connection((url.host, url.port), timeout=5) as connection:
        connection.sendall(head.encode())  # the body never comes: only an early answer arrives
        assert connection.recv(65536).startswith(b"HTTP/1.1 401 ")


def test_the_description_declares_every_answer_and_the_name_rules(guarded: httpx.Client) -> None:
    document = guarded.get("/openapi.json", headers=BEARER).json()
    error = {"$ref": "#/components/schemas/Error"}
    assert set(document["components"]["schemas"]["Error"]["required"]) == {
        "error",
        "message",
        "location",
    }
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "422" not in codes, (method, path)
            for code in codes - {"200", "201", "202"}:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema == error, (method, path, code)
            if path == "/":  # where to go from here: never the catalogue, so never 503
                assert {"401", "413"} <= codes, (method, path)
            elif path != "/health":
                assert {"401", "413", "503"} <= codes, (method, path)
            if "{" in path:
                assert "400" in codes, (method, path)
    name = document["paths"]["/connectors/{name}"]["get"]["parameters"][0]["schema"]
    assert (name["pattern"], name["maxLength"]) == (
        "^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$",
        64,
    )
    limit = next(
        p
        for p in document["paths"]["/connectors/{name}/deliveries"]["get"]["parameters"]
        if p["name"] == "limit"
    )
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 1000)
    assert document["paths"]["/connectors"]["get"]["security"] == [{"bearer": []}]


def test_the_docs_load_swagger_ui_from_this_api_only(api: httpx.Client) -> None:
    page = api.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:href|src)=["']([^"']+)["']|url:\s*'([^']+)'""", page.text)
    found = {a or b for a, b in urls}
    assert found >= {
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/openapi.json",
    }
    assert all(url.startswith("/") for url in found), found  # no CDN, no other host
    assert "//" not in re.sub(r"https?://(www\.)?(swagger\.io|w3\.org)[^\s\"'<>]*", "", page.text)
    script = api.get("/docs/assets/swagger-ui-bundle.js")
    style = api.get("/docs/assets/swagger-ui.css")
    assert (script.status_code, style.status_code) == (200, 200)
    assert script.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in script.text
    assert style.headers["content-type"].startswith("text/css")
    assert ".swagger-ui" in style.text
    other = api.get("/docs/assets/redoc.standalone.js")
    assert (other.status_code, other.json()["error"]) == (404, "NotFound")
