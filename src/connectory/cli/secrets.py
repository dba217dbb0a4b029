"""``connectory secret ...``: a connector's run-time secrets in the secrets file, by name.

Values are asked for without echo (or read from standard input with ``--stdin``, for scripts),
never taken on the command line (where shell history and ``ps`` would keep them) and never shown:
``secret list`` shows names and where each comes from (the file, the environment, or both).
"""

from __future__ import annotations

import sys
from typing import Annotated, TypedDict

import typer
from rich.text import Text

from . import render
from .common import JsonOption, handles_errors, print_json
from .tables import Column, print_table

__all__ = ["app"]

app = typer.Typer(
    name="secret",
    help="Run-time secrets in the secrets file (set, list, unset); values are never shown.",
    no_args_is_help=True,
)

ConnectorArgument = Annotated[str, typer.Argument(metavar="NAME", help="The connector's name.")]
MethodArgument = Annotated[str, typer.Argument(help="The auth method's name in its versions.")]


@app.command("set")
@handles_errors
def set_secret(
    name: ConnectorArgument,
    method: MethodArgument,
    secret: Annotated[str, typer.Argument(help="The secret's name: token, client_id, key, ...")],
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Read the value from standard input (one line).")
    ] = False,
) -> None:
    """Keep a secret of NAME's METHOD in the secrets file (asked for without echo)."""
    from pydantic import SecretStr

    from connectory.errors import InputError
    from connectory.runtime import SecretsFile
    from connectory.runtime.credentials import check_secrets

    if stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = typer.prompt(f"{secret} for {name} {method}", hide_input=True)
    if not value:
        raise InputError("an empty value: nothing was kept")
    check_secrets(method, {secret: SecretStr(value)})
    secrets_file = SecretsFile.default()
    secrets_file.save(name, method, {secret: SecretStr(value)})
    render.err.print(Text(f"Kept {secret} for {name} {method} in {secrets_file.path}"))


@app.command("unset")
@handles_errors
def unset_secret(
    name: ConnectorArgument,
    method: MethodArgument,
    secret: Annotated[
        str | None, typer.Argument(help="The secret's name (default: every secret of METHOD).")
    ] = None,
) -> None:
    """Remove one secret, or all of a method's, from the secrets file."""
    from connectory.runtime import SecretsFile

    secrets_file = SecretsFile.default()
    kept = secrets_file.credentials(name).get(method, {})
    names = [s for s in kept if secret is None or s == secret]
    if not names:
        render.err.print(Text(f"No such secret of {name} {method} in {secrets_file.path}"))
        raise typer.Exit(1)
    secrets_file.save(name, method, dict.fromkeys(names))
    render.err.print(Text(f"Removed {', '.join(names)} of {name} {method}"))


# One secret of `list`'s table ("from" is a keyword: the functional form).
_SecretRow = TypedDict("_SecretRow", {"method": str, "secret": str, "from": list[str]})


@app.command("list")
@handles_errors
def list_secrets(name: ConnectorArgument, as_json: JsonOption = False) -> None:
    """The secrets NAME has at run time, by method: names and sources, never values."""
    from connectory.runtime import SecretsFile, credentials_env_var, credentials_from_env

    secrets_file = SecretsFile.default()
    from_file = secrets_file.credentials(name)
    from_env = credentials_from_env(name)
    rows: list[_SecretRow] = []
    for method in sorted({*from_file, *from_env}):
        for secret in sorted({*from_file.get(method, {}), *from_env.get(method, {})}):
            sources = [
                label
                for label, found in (("file", from_file), ("environment", from_env))
                if secret in found.get(method, {})
            ]
            rows.append({"method": method, "secret": secret, "from": sources})
    if as_json:
        print_json(rows)
        return
    columns = [Column("method", "name"), Column("secret", "name"), Column("from", "tag")]
    shown = [(row["method"], row["secret"], ", ".join(row["from"])) for row in rows]
    print_table(render.out, columns, shown, what="secrets")
    render.err.print(
        Text(f"file: {secrets_file.path}; environment: {credentials_env_var(name)}", style="dim")
    )
