"""The ``connectory`` console script: runs ``connectory.cli`` after one step that makes it start fast.

jsonschema imports ``rfc3987_syntax`` when it is installed (JupyterLab's dependencies bring it), and
that module compiles a grammar on import: 1.8 s of the start of every command that checks a
schema. Connectory checks only ``connectory.schemas.FORMATS``, none of which needs it, so the
command, in a process of its own, marks the module absent before anything imports jsonschema. The
library never does this: a notebook or a service that imports Connectory keeps what it installed.
This module therefore imports nothing of Connectory's before ``main`` runs.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from connectory.cli import main as run

    run()


if __name__ == "__main__":
    main()
