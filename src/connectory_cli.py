"""The ``connectory`` console script: runs ``connectory.cli`` after one step that makes it start fast.

jsonschema imports ``rfc3987_syntax`` when it is installed (JupyterLab's dependencies bring it), and
that module compiles a grammar on import: 1.8 s of the start of every command that checks a
schema. Connectory checks only ``connectory.schemas.FORMATS``, none of which needs it, so the
command, in a process of its own, marks the module absent before anything imports jsonschema. The
library never does this: a notebook or a service that imports Connectory keeps what it installed.
This module therefore imports nothing of Connectory's before ``main`` runs.

Two more of the same kind, for a command's start (issue 16: ``show``, ``list``, ``invoke`` of a
stored version in at most 1 s):

- ``httpx._main``, httpx's own command line client, which ``import httpx`` tries to load (with
  click, pygments and rich's progress bars and syntax highlighting): never run here, absent, httpx
  then defines a ``main`` that says its dependencies are missing;
- for the commands that run no Prefect flow and serve nothing (``_CORE_ONLY``), the modules
  jsonschema imports, when installed, only to check ``format``s other than ``FORMATS``, and
  ``h2``, which httpcore imports for HTTP/2, a client Connectory never asks for
  (``_UNUSED_BY_CORE``): nothing else in such a process checks a schema or speaks HTTP/2. Prefect
  checks its parameters with jsonschema's own format checker (and may speak HTTP/2 to its API),
  so a command that runs a flow keeps them.

And the collector does not run while the command's modules load, and never looks at what they
made (``gc.freeze``): otherwise its passes over hundreds of thousands of objects, each time their
number grows by a quarter, cost a cold ``invoke`` 0.1 s.
"""

from __future__ import annotations

import gc
import sys

__all__ = ["main"]

_CORE_ONLY = frozenset({"invoke", "list", "show"})
"""Commands that run no Prefect flow and start no server: the core, a catalogue, maybe a call."""
_UNUSED_BY_CORE = (
    "fqdn",
    "isoduration",
    "rfc3986_validator",
    "rfc3987",
    "uri_template",
    "webcolors",
    "h2",
)
"""What ``jsonschema._format`` imports, when installed, only for formats not in ``FORMATS``; and
HTTP/2 (httpcore loads it when installed, uses it only for a client made with ``http2=True``)."""


def _command(argv: list[str]) -> str | None:
    """The command ``argv`` (without the program) names, past the global options."""
    rest = iter(argv)
    for arg in rest:
        if arg == "--catalog":
            next(rest, None)
        elif not arg.startswith("-"):
            return arg
    return None


def main() -> None:
    absent = ["rfc3987_syntax", "httpx._main"]
    if _command(sys.argv[1:]) in _CORE_ONLY:
        absent += _UNUSED_BY_CORE
    for name in absent:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    gc.disable()  # what the start loads lives as long as the process: not searched for garbage
    try:
        from connectory.cli import main as run
    finally:
        gc.freeze()
        gc.enable()

    run()


if __name__ == "__main__":
    main()
