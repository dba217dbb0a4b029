"""``connectory migrate``: bring the catalogue's database to the schema this Connectory expects.

Every command migrates the catalogue it opens, so a laptop never needs this. A team's PostgreSQL
catalogue runs Connectory as an application role that may not change the schema (it cannot lift
the guards either); there, the tables' owner runs ``connectory --catalog OWNER_URL migrate`` once
per upgrade, before the application role opens the catalogue.
"""

from __future__ import annotations

import typer

from . import render
from .common import JsonOption, handles_errors, open_catalog, print_json


@handles_errors
def migrate(as_json: JsonOption = False) -> None:
    """Migrate the catalogue to the current schema (run it as the owner of the tables)."""
    from connectory.catalog.migrate import current_revision

    with open_catalog() as catalog:
        revision = current_revision(catalog.engine)
        url = catalog.url
    if as_json:
        print_json({"catalog": url, "revision": revision})
    else:
        render.out.print(f"{url} is at revision {revision}.", soft_wrap=True, markup=False)


def register(app: typer.Typer) -> None:
    app.command()(migrate)
