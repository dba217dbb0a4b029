"""Logins of several steps against real servers on loopback: a form with a CSRF token, an XML
(SOAP) login read by XPath, a JWT's expiry, a new login when the API says the old one ended, and
hostile login servers (elsewhere, redirecting away, looping, huge, saying nothing)."""

from __future__ import annotations

import json
import secrets
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from lxml import etree
from pydantic import SecretStr, ValidationError
from rich.console import Console

from connectory import inspect
from connectory.catalog.digest import content_sha256
from connectory.cli import render
from connectory.errors import SourceError, SourceUnreachable, UntrustedOrigin
from connectory.model.auth import (
    CustomRequestAuth,
    ExtractRule,
    InjectRule,
    LoginStep,
    RequestTemplate,
    SessionSignal,
)
from connectory.model.hosts import method_urls, secret_origins
from connectory.model.version import ConnectorVersion
from connectory.runtime import SecretsFile, custom, invoke
from connectory.runtime.auth import auth_for
from connectory.settings import Settings
from tests.support.consent import accept
from tests.support.servers import LoopbackServer, Reply, serve

SECRET = "s3cr3t-pa55word"
CREDENTIALS = {"site": {"username": SecretStr("ann"), "password": SecretStr(SECRET)}}
JSON = {"Content-Type": "application/json"}
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Site", "version": "1"},
    "paths": {
        "/items/1": {"get": {"operationId": "getItem", "responses": {"200": {"description": "ok"}}}}
    },
}


def _version(tmp_path: Path, method: CustomRequestAuth) -> ConnectorVersion:
    (tmp_path / "site.json").write_text(json.dumps(DOCUMENT))
    version = inspect(tmp_path / "site.json", connector="site")
    return version.model_copy(
        update={"auth_methods": [method], "default_auth": [{method.name: []}]}
    )


def _body(handler: BaseHTTPRequestHandler) -> bytes:
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def _call(version: ConnectorVersion, server: LoopbackServer, credentials: Any = CREDENTIALS) -> int:
    return invoke(version, "getItem", credentials=credentials, server=server.base_url).status


# (a) a form login: a CSRF token in the HTML form and a session cookie, then the form posted


class FormSite:
    """GET /login: a form with a CSRF token tied to a session cookie; POST /login: the form
    with that token, the cookie and the password gives a JSON token; /items/1 wants it."""

    def __init__(self) -> None:
        self.sessions: dict[str, str] = {}
        self.tokens: set[str] = set()

    def login(self, handler: BaseHTTPRequestHandler) -> Reply:
        if handler.command == "GET":
            session, csrf = secrets.token_hex(8), secrets.token_hex(8)
            self.sessions[session] = csrf
            page = f'<form method="post"><input type="hidden" name="csrf_token" value="{csrf}">'
            headers = {"Content-Type": "text/html", "Set-Cookie": f"sid={session}; Path=/"}
            return Reply(200, page.encode(), headers)
        form = {k: v[0] for k, v in parse_qs(_body(handler).decode()).items()}
        cookie = handler.headers.get("Cookie", "")
        session = cookie.removeprefix("sid=")
        if self.sessions.get(session) != form.get("csrf_token") or cookie != f"sid={session}":
            return Reply(403, b'{"error": "csrf"}', JSON)
        if (form.get("username"), form.get("password")) != ("ann", SECRET):
            return Reply(401, b'{"error": "credentials"}', JSON)
        token = secrets.token_hex(8)
        self.tokens.add(token)
        return Reply(200, json.dumps({"access": {"token": token}}).encode(), JSON)

    def item(self, handler: BaseHTTPRequestHandler) -> Reply:
        bearer = handler.headers.get("Authorization", "").removeprefix("Bearer ")
        return Reply(200, b"{}", JSON) if bearer in self.tokens else Reply(401, b"{}", JSON)


def _form_login(url: str, **extra: Any) -> CustomRequestAuth:
    return CustomRequestAuth(
        name="site",
        steps=[
            LoginStep(
                name="form",
                request=RequestTemplate(method="GET", url=url, media_type=None),
                extract=[
                    ExtractRule(
                        name="csrf",
                        source="regex",
                        path=r'name="csrf_token" value="(?P<csrf>[^"]+)"',
                    )
                ],
            )
        ],
        request=RequestTemplate(
            url=url,
            body={
                "username": "{secrets.username}",
                "password": "{password}",
                "csrf_token": "{form.csrf}",
            },
            media_type="application/x-www-form-urlencoded",
        ),
        extract=[ExtractRule(name="token", source="jmespath", path="access.token")],
        inject=[InjectRule(parameter="Authorization", template="Bearer {token}")],
        **extra,
    )


def test_a_form_login_with_a_csrf_token_and_a_cookie(tmp_path: Path) -> None:
    site = FormSite()
    with serve({"/login": site.login, "/items/1": site.item}) as server:
        version = _version(tmp_path, _form_login(server.url("/login")))
        accept(version)
        assert _call(version, server) == 200
        assert server.requests == ["/login", "/login", "/items/1"]
    assert len(site.tokens) == 1


def test_a_form_posted_then_redirected_home_keeps_its_cookies(tmp_path: Path) -> None:
    # POST /login answers 303 to /home, setting the session cookie on the way; /home (on the
    # same origin: followed, with the cookie) shows the API token in a meta tag
    sessions: list[str] = []

    def login(handler: BaseHTTPRequestHandler) -> Reply:
        if parse_qs(_body(handler).decode()) != {"user": ["ann"], "pass": [SECRET]}:
            return Reply(401)
        sessions.append(secrets.token_hex(8))
        headers = {"Location": "/home", "Set-Cookie": f"session={sessions[-1]}; Path=/"}
        return Reply(303, b"", headers)

    def home(handler: BaseHTTPRequestHandler) -> Reply:
        if handler.command != "GET" or handler.headers.get("Cookie") != f"session={sessions[-1]}":
            return Reply(403)
        page = f'<meta name="api-token" content="tok-{sessions[-1]}">'
        return Reply(200, page.encode(), {"Content-Type": "text/html"})

    def item(handler: BaseHTTPRequestHandler) -> Reply:
        good = handler.headers.get("Cookie") == f"session={sessions[-1]}" and (
            handler.headers.get("X-Api-Token") == f"tok-{sessions[-1]}"
        )
        return Reply(200, b"{}", JSON) if good else Reply(401)

    with serve({"/login": login, "/home": home, "/items/1": item}) as server:
        method = CustomRequestAuth(
            name="site",
            request=RequestTemplate(
                url=server.url("/login"),
                body={"user": "{username}", "pass": "{password}"},
                media_type="application/x-www-form-urlencoded",
            ),
            extract=[
                ExtractRule(name="session", source="cookie", path="session"),
                ExtractRule(name="token", source="regex", path=r'"api-token" content="([^"]+)"'),
            ],
            inject=[
                InjectRule(location="cookie", parameter="session", template="{session}"),
                InjectRule(parameter="X-Api-Token", template="{token}"),
            ],
        )
        version = _version(tmp_path, method)
        accept(version)
        assert _call(version, server) == 200
        assert server.requests == ["/login", "/home", "/items/1"]


@pytest.mark.parametrize(("offset", "logins"), [(3600, 1), (-60, 3)])
def test_a_header_date_says_when_to_log_in_again(offset: int, logins: int) -> None:
    vault = Vault()

    def login(handler: BaseHTTPRequestHandler) -> Reply:
        reply = vault.login(handler)
        reply.headers["Expires"] = formatdate(time.time() + offset, usegmt=True)
        return reply

    with serve({"/login": login, "/items/1": vault.item}) as server:
        method = CustomRequestAuth(
            name="site",
            request=RequestTemplate(url=server.url("/login"), body={"password": "{password}"}),
            extract=[
                ExtractRule(name="jwt", path="/jwt"),
                ExtractRule(name="until", source="header", path="Expires"),
            ],
            inject=[InjectRule(parameter="Authorization", template="Bearer {jwt}")],
            expiry_from="until",
            expiry_format="date",
        )
        auth = auth_for(method, CREDENTIALS["site"])
        with httpx.Client(auth=auth) as client:
            statuses = [client.get(server.url("/items/1")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert vault.logins == logins


# (b) an XML login (a SOAP envelope, as Salesforce's login answers) read by XPath

SOAP_LOGIN = """<?xml version="1.0" encoding="utf-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>
<login xmlns="urn:partner.soap.sforce.com"><username>{username}</username>
<password>{password}</password></login></env:Body></env:Envelope>"""
SOAP_ANSWER = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns="urn:partner.soap.sforce.com"><soapenv:Body><loginResponse><result>
<serverUrl>https://example.my.salesforce.com/services/Soap/u/60.0</serverUrl>
<sessionId>{session}</sessionId><userId>005</userId></result></loginResponse>
</soapenv:Body></soapenv:Envelope>"""
SOAP_FAULT = b"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>
<faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>Invalid Session ID</faultstring>
</soapenv:Fault></soapenv:Body></soapenv:Envelope>"""
XML_SECRET = "pa<ss&'word\""  # written into the XML body escaped
XML_CREDENTIALS = {"site": {"username": SecretStr("ann"), "password": SecretStr(XML_SECRET)}}
NAMESPACES = {"s": "http://schemas.xmlsoap.org/soap/envelope/", "sf": "urn:partner.soap.sforce.com"}


class SoapSite:
    def __init__(self) -> None:
        self.sessions: list[str] = []

    def login(self, handler: BaseHTTPRequestHandler) -> Reply:
        sent = etree.fromstring(_body(handler))
        given = [sent.findtext(f".//{{urn:partner.soap.sforce.com}}{n}") for n in ("username", "password")]  # fmt: skip
        if given != ["ann", XML_SECRET] or handler.headers.get("SOAPAction") != '"login"':
            return Reply(500, SOAP_FAULT, {"Content-Type": "text/xml"})
        self.sessions.append(f"00D!{secrets.token_hex(8)}")
        answer = SOAP_ANSWER.format(session=self.sessions[-1]).encode()
        return Reply(200, answer, {"Content-Type": "text/xml; charset=utf-8"})

    def item(self, handler: BaseHTTPRequestHandler) -> Reply:
        if self.sessions and handler.headers.get("Authorization") == f"Bearer {self.sessions[-1]}":
            return Reply(200, b"{}", JSON)
        return Reply(500, SOAP_FAULT, {"Content-Type": "text/xml"})


def _soap_login(url: str) -> CustomRequestAuth:
    return CustomRequestAuth(
        name="site",
        request=RequestTemplate(
            url=url,
            headers={"SOAPAction": '"login"'},
            body=SOAP_LOGIN,
            media_type="text/xml; charset=utf-8",
        ),
        extract=[
            ExtractRule(
                name="session",
                source="xpath",
                path="/s:Envelope/s:Body/sf:loginResponse/sf:result/sf:sessionId",
                namespaces=NAMESPACES,
            )
        ],
        inject=[InjectRule(parameter="Authorization", template="Bearer {session}")],
        relogin_when=SessionSignal(
            source="xpath", path="string(//faultcode)", equals="sf:INVALID_SESSION_ID"
        ),
    )


def test_an_xml_login_read_by_xpath_and_a_fault_that_asks_for_a_new_one(tmp_path: Path) -> None:
    site = SoapSite()
    with serve({"/soap": site.login, "/items/1": site.item}) as server:
        version = _version(tmp_path, _soap_login(server.url("/soap")))
        accept(version)
        assert _call(version, server, XML_CREDENTIALS) == 200
        site.sessions.append("ended")  # the session ends: the API answers a SOAP fault
        auth = auth_for(version.auth_methods[0], XML_CREDENTIALS["site"])
        with httpx.Client(auth=auth) as client:
            assert client.get(server.url("/items/1")).status_code == 200
            site.sessions.append("ended")
            assert client.get(server.url("/items/1")).status_code == 200  # logged in again
    assert len(site.sessions) == 5  # 3 logins, 2 ended sessions
    first, second, third = ["/soap", "/items/1"], ["/soap", "/items/1"], ["/items/1", "/soap", "/items/1"]  # fmt: skip
    assert server.requests == [*first, *second, *third]


# (c) a JWT's exp says when to log in again


KEY = OctKey.import_key(secrets.token_bytes(32))


class JwtSite:
    def __init__(self, lifetime: int) -> None:
        self.lifetime, self.logins = lifetime, 0

    def login(self, handler: BaseHTTPRequestHandler) -> Reply:
        if json.loads(_body(handler)) != {"user": "ann", "password": SECRET}:
            return Reply(401, b"{}", JSON)
        self.logins += 1
        claims = {"sub": "ann", "exp": int(time.time()) + self.lifetime}
        token = jwt.encode({"alg": "HS256"}, claims, KEY)
        return Reply(200, json.dumps({"jwt": token}).encode(), JSON)

    def item(self, handler: BaseHTTPRequestHandler) -> Reply:
        bearer = handler.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            jwt.decode(bearer, KEY)
        except ValueError:
            return Reply(401, b"{}", JSON)
        return Reply(200, b"{}", JSON)


def _jwt_login(url: str, **extra: Any) -> CustomRequestAuth:
    return CustomRequestAuth(
        name="site",
        request=RequestTemplate(url=url, body={"user": "{username}", "password": "{password}"}),
        extract=[ExtractRule(name="jwt", path="/jwt")],
        inject=[InjectRule(parameter="Authorization", template="Bearer {jwt}")],
        expiry_from="jwt",
        expiry_format="jwt_exp",
        **extra,
    )


@pytest.mark.parametrize(("lifetime", "logins"), [(3600, 1), (-60, 3)])
def test_a_jwt_exp_says_when_to_log_in_again(lifetime: int, logins: int) -> None:
    site = JwtSite(lifetime)
    with serve({"/login": site.login, "/items/1": site.item}) as server:
        auth = auth_for(_jwt_login(server.url("/login")), CREDENTIALS["site"])
        with httpx.Client(auth=auth) as client:
            statuses = [client.get(server.url("/items/1")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert site.logins == logins


def test_a_token_that_is_not_a_jwt_is_named() -> None:
    answer = Reply(200, b'{"jwt": "not-a-jwt"}', JSON)
    with serve({"/login": answer}) as server:
        auth = auth_for(_jwt_login(server.url("/login")), CREDENTIALS["site"])
        with httpx.Client(auth=auth) as client, pytest.raises(SourceError) as raised:
            client.get(server.url("/items/1"))
        assert server.requests == ["/login"]
    assert "auth method 'site': 'jwt' is not a JWT with an exp claim" in raised.value.message


# (d) a call answered 401: one new login, the call sent again once


class Vault:
    def __init__(self) -> None:
        self.logins, self.valid, self.refuse_all = 0, "", False

    def login(self, handler: BaseHTTPRequestHandler) -> Reply:
        _body(handler)
        self.logins += 1
        self.valid = f"t{self.logins}"
        return Reply(200, json.dumps({"jwt": self.valid}).encode(), JSON)

    def item(self, handler: BaseHTTPRequestHandler) -> Reply:
        good = handler.headers.get("Authorization") == f"Bearer {self.valid}"
        return Reply(200, b"{}", JSON) if good and not self.refuse_all else Reply(401, b"{}")


def _vault_login(url: str, **extra: Any) -> CustomRequestAuth:
    return CustomRequestAuth(
        name="site",
        request=RequestTemplate(url=url, body={"password": "{password}"}),
        extract=[ExtractRule(name="jwt", path="/jwt")],
        inject=[InjectRule(parameter="Authorization", template="Bearer {jwt}")],
        **extra,
    )


def test_a_401_logs_in_again_once_and_sends_the_call_again(tmp_path: Path) -> None:
    vault = Vault()
    with serve({"/login": vault.login, "/items/1": vault.item}) as server:
        auth = auth_for(_vault_login(server.url("/login")), CREDENTIALS["site"])
        with httpx.Client(auth=auth) as client:
            assert client.get(server.url("/items/1")).status_code == 200
            vault.valid = "revoked"  # the server ends the session
            assert client.get(server.url("/items/1")).status_code == 200
            assert vault.logins == 2
            vault.refuse_all = True  # a new login does not help: one try, then the 401
            assert client.get(server.url("/items/1")).status_code == 401
        assert vault.logins == 3
        assert server.requests.count("/items/1") == 5
        # relogin_on=[]: the 401 is the answer
        vault.refuse_all, vault.valid = False, "revoked"
        auth = auth_for(_vault_login(server.url("/login"), relogin_on=[]), CREDENTIALS["site"])
        with httpx.Client(auth=auth) as client:
            assert client.get(server.url("/items/1")).status_code == 200
            vault.valid = "revoked"
            assert client.get(server.url("/items/1")).status_code == 401
    assert vault.logins == 4


def test_a_body_signal_asks_for_a_new_login() -> None:
    vault = Vault()

    def item(handler: BaseHTTPRequestHandler) -> Reply:
        good = handler.headers.get("Authorization") == f"Bearer {vault.valid}"
        answer = {"items": []} if good else {"error": {"code": "SESSION_EXPIRED"}}
        return Reply(200, json.dumps(answer).encode(), JSON)

    signal = SessionSignal(source="jmespath", path="error.code", equals="SESSION_EXPIRED")
    with serve({"/login": vault.login, "/items/1": item}) as server:
        auth = auth_for(_vault_login(server.url("/login"), relogin_when=signal), CREDENTIALS["site"])  # fmt: skip
        with httpx.Client(auth=auth) as client:
            assert client.get(server.url("/items/1")).json() == {"items": []}
            vault.valid = "revoked"
            assert client.get(server.url("/items/1")).json() == {"items": []}
    assert vault.logins == 2


# (e) hostile login servers and bad methods


def test_a_step_on_a_host_not_accepted_sends_nothing(tmp_path: Path) -> None:
    site = FormSite()
    with serve({"/login": site.login, "/items/1": site.item}) as server, serve({}) as elsewhere:
        method = _form_login(server.url("/login"))
        steps = [method.steps[0].model_copy(update={"request": RequestTemplate(method="GET", url=elsewhere.url("/login"))})]  # fmt: skip
        version = _version(tmp_path, method.model_copy(update={"steps": steps}))
        assert elsewhere.base_url in secret_origins(version)
        SecretsFile.default().accept("site", [server.base_url])
        with pytest.raises(UntrustedOrigin, match=f"would send secrets to {elsewhere.base_url},"):
            _call(version, server)
        assert (server.requests, elsewhere.requests) == ([], [])


def _failure(tmp_path: Path, routes: dict[str, Any], method: CustomRequestAuth) -> SourceError:
    with serve(routes) as server:
        version = _version(tmp_path, method.model_copy(update={"steps": [s.model_copy(update={"request": s.request.model_copy(update={"url": server.url(s.request.url)})}) for s in method.steps], "request": method.request.model_copy(update={"url": server.url(method.request.url)})}))  # fmt: skip
        accept(version)
        with pytest.raises(SourceError) as raised:
            _call(version, server)
        assert "/items/1" not in server.requests  # nothing sent to the API
    assert SECRET not in str(raised.value)
    assert "ann" not in str(raised.value)
    assert "\n" not in str(raised.value)
    return raised.value


def test_a_login_redirected_to_another_host_is_not_followed(tmp_path: Path) -> None:
    with serve({}) as elsewhere:
        away = Reply(307, b"", {"Location": elsewhere.url("/login")})
        error = _failure(tmp_path, {"/login": FormSite().login, "/post": away}, _form_login("/login").model_copy(update={"request": _form_login("/post").request}))  # fmt: skip
        assert elsewhere.requests == []
    assert error.message == (
        f"auth method 'site', step 'request': the login answer is not JSON (it redirects to "
        f"{elsewhere.base_url}, another host: not followed)"
    )


def test_a_redirect_loop_is_cut(tmp_path: Path) -> None:
    loop = Reply(302, b"", {"Location": "/login?again"})
    error = _failure(tmp_path, {"/login": loop}, _form_login("/login"))
    assert error.message == "auth method 'site', step 'form': more than 5 redirects (a loop?)"


def test_a_huge_answer_is_cut(tmp_path: Path) -> None:
    huge = Reply(200, b"x" * (2 * 1024 * 1024), {"Content-Type": "text/html"}, declare_length=False)
    error = _failure(tmp_path, {"/login": huge}, _form_login("/login"))
    assert error.message == (
        "auth method 'site', step 'form': the login answer is larger than 1,048,576 bytes"
    )


def test_a_slow_login_is_given_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(custom, "MAX_LOGIN_SECONDS", 0.5)
    monkeypatch.setattr(custom, "_LOGIN_LIMITS", Settings(max_document_bytes=1 << 20, fetch_deadline=0.5))  # fmt: skip
    slow = Reply(200, b"<form>" + b" " * 200, {"Content-Type": "text/html"}, drip_seconds=0.02)
    started = time.monotonic()
    error = _failure(tmp_path, {"/login": slow}, _form_login("/login"))
    assert isinstance(error, SourceUnreachable)
    assert error.message == (
        "auth method 'site', step 'form': gave up after 0.5 s (the server is too slow)"
    )
    assert time.monotonic() - started < 3


def test_an_extraction_that_finds_nothing_names_the_method_and_the_step(tmp_path: Path) -> None:
    page = Reply(200, b"<form>no token here</form>", {"Content-Type": "text/html"})
    error = _failure(tmp_path, {"/login": page}, _form_login("/login"))
    assert error.message == (
        "auth method 'site', step 'form': the login answer has no value for 'csrf' "
        """(regex name="csrf_token" value="(?P<csrf>[^"]+)")"""
    )
    long = "A" * (64 * 1024)
    page = Reply(200, f'name="csrf_token" value="{long}"'.encode(), {"Content-Type": "text/html"})
    error = _failure(tmp_path, {"/login": page}, _form_login("/login"))
    assert error.message == (
        "auth method 'site', step 'form': the value of 'csrf' is longer than 16,384 characters"
    )


def test_a_login_refused_names_the_step_and_no_secret(tmp_path: Path) -> None:
    refused = Reply(401, json.dumps({"echo": SECRET}).encode(), JSON)
    error = _failure(tmp_path, {"/login": FormSite().login, "/post": refused}, _form_login("/login").model_copy(update={"request": _form_login("/post").request}))  # fmt: skip
    assert error.message == "auth method 'site', step 'request': the login request was answered HTTP 401"  # fmt: skip


def _bad(**change: Any) -> str:
    data = _form_login("https://example.com/login").model_dump()
    for dotted, value in change.items():
        target = data
        *parents, last = dotted.split("__")
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[last] = value
    with pytest.raises(ValidationError) as raised:
        CustomRequestAuth.model_validate(data)
    return str(raised.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"steps__0__extract__0__path": "(unclosed"},
            "auth method 'site', step 'form', extract 'csrf': the regular expression '(unclosed' "
            "does not compile",
        ),
        (
            {"extract__0__path": "access.[", "extract__0__source": "jmespath"},
            "auth method 'site', step 'request', extract 'token': the JMESPath expression "
            "'access.[' does not compile",
        ),
        (
            {"extract__0__path": "//sf:x[", "extract__0__source": "xpath"},
            "auth method 'site', step 'request', extract 'token': the XPath expression '//sf:x[' "
            "does not compile",
        ),
        (
            {"request__body__csrf_token": "{form.nope}"},
            "auth method 'site', step 'request': {form.nope} names no value an earlier step "
            "extracts",
        ),
        (
            {"steps__0__request__url": "https://example.com/{request.token}"},
            "auth method 'site', step 'form': {request.token} names no value an earlier step "
            "extracts",
        ),
        ({"steps__0__name": "request"}, "auth method 'site', step 'request': name a step"),
        (
            {"inject__0__template": "Bearer {tokn}"},
            "auth method 'site', inject 'Authorization': {tokn} names no extracted value",
        ),
        (
            {"expiry_format": "jwt_exp", "expiry_from": "jwt"},
            "auth method 'site', expiry_from: 'jwt' names no extracted value",
        ),
        (
            {"steps__0__extract__0__path": "(a+)+$"},
            "auth method 'site', step 'form', extract 'csrf': the regular expression '(a+)+$' "
            "may backtrack without end",
        ),
        ({"relogin_on": [200]}, "relogin_on: 200 is not an HTTP error status"),
        (
            {"extract__0__namespaces": {"a": "urn:a"}},
            "extract 'token': namespaces are for an xpath only",
        ),
    ],
)
def test_a_bad_login_is_refused_when_drafted(change: dict[str, Any], message: str) -> None:
    assert message in _bad(**change)


def test_a_version_with_a_bad_login_is_refused(tmp_path: Path) -> None:
    version = _version(tmp_path, _form_login("https://example.com/login"))
    data = version.model_dump(mode="json")
    data["auth_methods"][0]["steps"][0]["extract"][0]["path"] = "(unclosed"
    with pytest.raises(ValidationError, match="auth method 'site', step 'form', extract 'csrf'"):
        ConnectorVersion.model_validate(data)


def test_a_login_of_one_request_keeps_its_digest(tmp_path: Path) -> None:
    old = {
        "type": "custom_request",
        "name": "login",
        "request": {"url": "https://auth.example.com/login", "body": {"p": "{password}"}},
        "extract": [{"name": "token", "path": "/token"}],
        "inject": [{"parameter": "Authorization", "template": "Token {token}"}],
        "expiry_from": "ttl",  # not extracted: as before, nothing to check
    }
    method = CustomRequestAuth.model_validate(old)
    assert method.model_dump(exclude_defaults=True) == {k: v for k, v in old.items() if k != "type"}
    version = _version(tmp_path, method)
    assert content_sha256(version) == content_sha256(version.model_validate(version.model_dump()))


def test_every_step_is_a_place_secrets_go_and_show_lists_the_steps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    method = _form_login("https://auth.example.com/login")
    steps = [*method.steps, LoginStep(name="code", request=RequestTemplate(url="https://sso.example.com/x?c={form.csrf}"))]  # fmt: skip
    method = method.model_copy(update={"steps": steps})
    assert method_urls(method) == [
        ("steps/form/request/url", "https://auth.example.com/login"),
        ("steps/code/request/url", "https://sso.example.com/x?c={form.csrf}"),
        ("request/url", "https://auth.example.com/login"),
    ]
    shown = StringIO()
    monkeypatch.setattr(render, "out", Console(file=shown, width=200))
    render.print_version(_version(tmp_path, method))
    text = " ".join(shown.getvalue().replace("│", " ").split())
    assert "Login site" in text
    assert "form GET https://auth.example.com/login csrf (regex)" in text
    assert "code POST https://sso.example.com/x request POST" in text
    assert "request POST https://auth.example.com/login token (jmespath)" in text
    assert "expires: when the API says so; logs in again on: 401 403" in text
    assert "{form.csrf}" not in text  # a query may carry secrets: not shown


def test_a_regular_expression_slowed_by_a_hostile_answer_is_given_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `<token>(.*)</token>` cannot backtrack without end, but over an answer of `<token>`
    # repeated with no `</token>` each start scans to the end: quadratic, a hang on 1 MB
    monkeypatch.setattr(custom, "MAX_MATCH_SECONDS", 0.5)
    method = _form_login("/login")
    steps = [method.steps[0].model_copy(update={"extract": [ExtractRule(name="csrf", source="regex", path="<token>(.*)</token>")]})]  # fmt: skip
    method = method.model_copy(update={"steps": steps})
    hostile = Reply(200, b"<token>" * 140_000, {"Content-Type": "text/html"})
    started = time.monotonic()
    error = _failure(tmp_path, {"/login": hostile}, method)
    assert time.monotonic() - started < 10
    assert error.message == (
        "auth method 'site', step 'form': the login answer takes the regular expression of "
        "'csrf' more than 0.5 s to search (given up)"
    )


def test_a_relogin_signal_slowed_by_a_hostile_answer_is_no_signal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(custom, "MAX_MATCH_SECONDS", 0.5)
    vault = Vault()
    hostile = Reply(200, b"<error>" * 140_000, {"Content-Type": "text/html"})
    signal = SessionSignal(source="regex", path="<error>(.*)</error>")
    with serve({"/login": vault.login, "/items/1": lambda _: hostile}) as server:
        auth = auth_for(_vault_login(server.url("/login"), relogin_when=signal), CREDENTIALS["site"])  # fmt: skip
        with httpx.Client(auth=auth) as client:
            assert client.get(server.url("/items/1")).status_code == 200
            started = time.monotonic()
            assert client.get(server.url("/items/1")).status_code == 200
            assert time.monotonic() - started < 10
    assert vault.logins == 1


@pytest.mark.parametrize("token", ['tok "7f3a9c" en', "tok-7f3a9c\r\nX-Evil: 1"])
def test_a_session_cookie_a_cookie_parser_would_not_read_is_still_hidden(
    tmp_path: Path, token: str
) -> None:
    # what a login gives, put on the call as a cookie, is hidden wherever it shows (an answer
    # echoing the Cookie header, an error quoting it), even when it is no valid cookie value
    def login(handler: BaseHTTPRequestHandler) -> Reply:
        _body(handler)
        return Reply(200, json.dumps({"session": token}).encode(), JSON)

    def item(handler: BaseHTTPRequestHandler) -> Reply:
        return Reply(200, json.dumps({"echo": handler.headers.get("Cookie")}).encode(), JSON)

    with serve({"/login": login, "/items/1": item}) as server:
        method = CustomRequestAuth(
            name="site",
            request=RequestTemplate(url=server.url("/login"), body={"password": "{password}"}),
            extract=[ExtractRule(name="session", path="/session")],
            inject=[InjectRule(location="cookie", parameter="sid", template="{session}")],
        )
        version = _version(tmp_path, method)
        accept(version)
        try:
            shown = str(invoke(version, "getItem", credentials=CREDENTIALS, server=server.base_url).body)  # fmt: skip
        except SourceError as error:
            shown = str(error)
    assert "7f3a9c" not in shown


def test_a_login_answer_nested_too_deeply_is_not_json(tmp_path: Path) -> None:
    # json.loads recurses: a hostile answer of 200,000 `[` would end in a RecursionError
    def deep(handler: BaseHTTPRequestHandler) -> Reply:
        _body(handler)
        return Reply(200, b"[" * 200_000, JSON)

    error = _failure(tmp_path, {"/login": deep}, _vault_login("/login"))
    assert error.message == "auth method 'site': the login answer is not JSON"
