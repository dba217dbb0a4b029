"""``connectory invoke``: call an action of a catalogue version (``connectory.runtime``);
``connectory login``: sign in to its OAuth 2 or OAuth 1.0a provider."""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from . import render
from .common import JsonOption, handles_errors, open_catalog, split_ref

__all__ = ["json_text", "read_input", "register"]


def read_input(text: str | None, *, exact_numbers: bool = False) -> Any:
    """The ``--input`` JSON (text or ``@FILE``). ``exact_numbers``: a number a float would not
    hold exactly (``12345678901234567890.12``) is read as a ``Decimal`` (for SOAP, whose
    ``xs:decimal`` carries every digit); every other number as ``json`` reads it."""
    from connectory.documents.decode import parse_json
    from connectory.errors import InputError

    if text is None:
        return {}
    source = "--input"
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise InputError(f"--input {text}: no such file")
        text, source = path.read_text(encoding="utf-8"), str(path)
    value = parse_json(text, source)  # the checks and their errors
    if not exact_numbers:
        return value
    from connectory.runtime.soap import exact_number

    return json.loads(text, parse_float=lambda number: exact_number(Decimal(number)))


def json_text(value: Any, indent: str = "") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, a ``Decimal`` written as a JSON number
    with all its digits (``json`` cannot: it turns it into a float, or refuses it)."""
    inner = indent + "  "
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else json.dumps(str(value))
    if isinstance(value, dict) and value:
        items = [
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {json_text(v, inner)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple) and value:
        return "[\n" + ",\n".join(inner + json_text(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


@handles_errors
def invoke(
    ref: Annotated[str, typer.Argument(metavar="NAME@VERSION")],
    action: Annotated[str, typer.Argument(help="The action's name.")],
    input_: Annotated[
        str | None,
        typer.Option(
            "--input",
            "-i",
            help="The input as JSON, or @FILE: for HTTP {path, query, header, cookie, body}; "
            "for GraphQL the variables.",
        ),
    ] = None,
    server: Annotated[
        str | None, typer.Option("--server", help="Call this base URL or endpoint instead.")
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option(
            "--retries",
            min=0,
            help="Ask again at most this often when the system answers 429 or 503 "
            "(default: CONNECTORY_INVOKE_RETRIES, 3).",
        ),
    ] = None,
    max_wait: Annotated[
        float | None,
        typer.Option(
            "--max-wait",
            min=0,
            help="Wait at most this many seconds in all before asking again, as Retry-After "
            "says or backing off (default: CONNECTORY_INVOKE_MAX_WAIT_SECONDS, 30).",
        ),
    ] = None,
    all_pages: Annotated[
        bool,
        typer.Option(
            "--all-pages",
            help="Read every page of a paginated action and print its items, one JSON line "
            "each (with --json: one JSON array).",
        ),
    ] = False,
    max_pages: Annotated[
        int | None,
        typer.Option("--max-pages", min=1, help="With --all-pages: at most this many pages."),
    ] = None,
    max_items: Annotated[
        int | None,
        typer.Option("--max-items", min=1, help="With --all-pages: at most this many items."),
    ] = None,
    max_page_bytes: Annotated[
        int | None,
        typer.Option("--max-page-bytes", min=1, help="With --all-pages: each page at most this."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Call ACTION of a version; credentials come from CONNECTORY_CREDENTIALS_<NAME> and the
    secrets file (CONNECTORY_SECRETS_FILE, by default ~/.config/connectory/credentials.json).

    They are sent only to origins accepted with connectory trust (the server given with --server
    too), over https unless on loopback; a secret the answer echoes is shown as ***.
    Exit code 1 when the system answers HTTP 400 or more, or an answer that does not fit the
    action's output schema.
    """
    from connectory.runtime import credentials_for, token_keeper
    from connectory.runtime import invoke as run

    name, label = split_ref(ref)
    given = read_input(input_)
    with open_catalog() as catalog:
        version = catalog.get_version(name, label or "")
    if version.protocol == "soap":  # an xs:decimal keeps every digit it is given
        given = read_input(input_, exact_numbers=True)
    credentials, keeper = credentials_for(name), token_keeper(name)
    if all_pages:
        _all_pages(
            version,
            action,
            given,
            as_json=as_json,
            credentials=credentials,
            server=server,
            on_token=keeper,
            retries=retries,
            max_wait_seconds=max_wait,
            max_pages=max_pages,
            max_items=max_items,
            max_page_bytes=max_page_bytes,
        )
        return
    done = run(
        version,
        action,
        given,
        credentials=credentials,
        server=server,
        on_token=keeper,
        retries=retries,
        max_wait_seconds=max_wait,
    )
    if as_json:
        shown = {
            "action": done.action,
            "method": done.method,
            "url": done.url,
            "status": done.status,
            "output": done.output,
            "problems": done.problems,
            "body": done.body,
        }
        sys.stdout.write(json_text(shown) + "\n")
    else:
        render.out.print(
            Text(f"{done.method} {done.url} -> HTTP {done.status}")
            + Text(f" (output {done.output}, {done.seconds:.2f} s)", style="dim")
        )
        for problem in done.problems:
            render.err.print(Text(f"does not fit: {problem}", style="yellow"))
        body = done.body
        render.out.print(Text(json_text(body) if not isinstance(body, str) else body))
    if done.status >= 400 or done.problems:
        raise typer.Exit(1)


def _all_pages(version: Any, action: str, given: Any, *, as_json: bool, **options: Any) -> None:
    """Print the items of every page as they come; exit 1 if a page does not fit its schema."""
    from connectory.runtime import invoke_pages

    unfit = []

    def checked(page: Any) -> None:
        for problem in page.problems:
            unfit.append(problem)
            render.err.print(Text(f"does not fit ({page.url}): {problem}", style="yellow"))

    items = invoke_pages(version, action, given, on_page=checked, **options)
    if as_json:  # the array once all pages are read: valid JSON, or an error and nothing
        sys.stdout.write(json_text(list(items)) + "\n")
    else:
        for item in items:
            sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    if unfit:
        raise typer.Exit(1)


@handles_errors
def login(
    ref: Annotated[str, typer.Argument(metavar="NAME[@VERSION]")],
    method: Annotated[
        str | None,
        typer.Option("--method", "-m", help="The auth method to sign in with (when several can)."),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="A scope to ask for (repeat; default: all the flow's)."),
    ] = None,
    port: Annotated[
        int,
        typer.Option(help="Listen for the redirect on this port of 127.0.0.1 (0: any free one)."),
    ] = 0,
    device: Annotated[
        bool,
        typer.Option(
            "--device",
            help="Sign in on another device (OAuth 2 device authorization grant): shows an "
            "address and a code to enter there.",
        ),
    ] = False,
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the address in a browser.")
    ] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the sign-in.")] = 300.0,
) -> None:
    """Sign in to a connector's OAuth 2, OpenID Connect or OAuth 1.0a provider in a browser
    (OAuth 2: authorization code with PKCE, or with --device the device authorization grant;
    OAuth 1.0a: three-legged, request token then access token).

    The method's client_id (and client_secret, for a confidential client), or its OAuth 1.0a
    consumer_key and consumer_secret (private_key for RSA), come from
    CONNECTORY_CREDENTIALS_<NAME> or the secrets file; the tokens go to the secrets file
    (readable by you only), where invoke finds them (and renews OAuth 2 ones). The provider's
    endpoints must be origins accepted with connectory trust.
    """
    import webbrowser

    from connectory.errors import InputError
    from connectory.model.auth import AuthMethod, OAuth1Auth, OAuth2Auth, OpenIDConnectAuth
    from connectory.runtime import SecretPolicy, SecretsFile, credentials_for
    from connectory.runtime import login as sign_in
    from connectory.runtime.oauth import DeviceCode, Token, token_secrets
    from connectory.runtime.signin import login_device, login_oauth1

    def can_sign_in(found: AuthMethod) -> bool:
        if isinstance(found, OAuth2Auth):
            grant = "device_code" if device else "authorization_code"
            return any(f.grant == grant for f in found.flows)
        if isinstance(found, OpenIDConnectAuth):
            return True  # its discovery document names the endpoints
        if device:
            return False
        return (
            isinstance(found, OAuth1Auth)
            and bool(found.request_token_url and found.authorization_url)
            and bool(found.access_token_url)
        )

    name, label = split_ref(ref)
    with open_catalog() as catalog:
        version = catalog.get_version(name, label or "")
    usable = [m for m in version.auth_methods if can_sign_in(m)]
    chosen = [m for m in usable if method is None or m.name == method]
    if len(chosen) != 1:
        names = ", ".join(m.name for m in usable) or "none"
        what = f"no such method {method!r}" if method else "name one with --method"
        kind = "a device sign-in" if device else "a sign-in"
        raise InputError(f"{version.ref}: {what} (methods with {kind}: {names})")
    (signing,) = chosen
    secrets = credentials_for(name).get(signing.name, {})
    policy = SecretPolicy.of(version)
    secrets_file = SecretsFile.default()

    def show(url: str) -> None:
        render.err.print("Open this address in a browser and sign in:")
        render.out.print(Text(url), soft_wrap=True)
        if browser:
            webbrowser.open(url)

    def show_code(code: DeviceCode) -> None:
        render.err.print(f"On any device, open {code.verification_uri} and enter the code:")
        render.out.print(Text(code.user_code))
        if browser:
            webbrowser.open(code.verification_uri_complete or code.verification_uri)

    if isinstance(signing, OAuth1Auth):
        access = login_oauth1(
            signing, secrets, show=show, policy=policy, port=port, timeout=timeout
        )
        secrets_file.save(name, signing.name, access.secrets())
        render.err.print(
            Text(f"Signed in (an OAuth 1.0a access token); it is kept in {secrets_file.path}")
        )
        return
    token: Token
    assert isinstance(signing, OAuth2Auth | OpenIDConnectAuth)
    if device:
        token = login_device(
            signing, secrets, show=show_code, policy=policy, scopes=scope or None, timeout=timeout
        )
    else:
        token = sign_in(
            signing,
            secrets,
            show=show,
            policy=policy,
            scopes=scope or None,
            port=port,
            timeout=timeout,
        )
    secrets_file.save(name, signing.name, token_secrets(token))
    lasts = (
        f", valid for {max(0, int(token.expires_at - time.time())) // 60} min"
        if token.expires_at
        else ""
    )
    renews = "with a refresh token" if token.refresh_token else "no refresh token"
    render.err.print(
        Text(f"Signed in ({renews}{lasts}); the tokens are kept in {secrets_file.path}")
    )


@handles_errors
def logout(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    method: Annotated[
        str | None, typer.Option("--method", "-m", help="Only this auth method's tokens.")
    ] = None,
) -> None:
    """Forget the tokens of a sign-in: remove them from the secrets file (the client id and any
    other secret kept there stay)."""
    from connectory.runtime import SecretsFile
    from connectory.runtime.oauth import TOKEN_SECRETS
    from connectory.runtime.oauth1 import OAUTH1_TOKEN_SECRETS

    tokens = TOKEN_SECRETS | OAUTH1_TOKEN_SECRETS
    secrets_file = SecretsFile.default()
    kept = secrets_file.credentials(name)
    methods = [m for m in kept if (method is None or m == method) and tokens & set(kept[m])]
    for found in methods:
        secrets_file.save(name, found, dict.fromkeys(tokens))
    if methods:
        render.err.print(Text(f"Signed out of {', '.join(methods)} ({secrets_file.path})"))
    else:
        render.err.print(Text(f"No tokens of {name} in {secrets_file.path}"))


def register(main: typer.Typer) -> None:
    main.command("invoke")(invoke)
    main.command("login")(login)
    main.command("logout")(logout)
