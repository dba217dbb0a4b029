"""The real subscriptions-transport-ws server (Apollo Server 2/3's subscriptions) on loopback.

``installed(directory)`` installs the npm packages there (``subscriptions-transport-ws`` and
``graphql``, pinned); ``serve_legacy(directory, sdl)`` runs ``subscriptions_transport_ws.js``
with Node until the block ends. Both raise ``Unavailable`` (with the reason) when Node or npm is
missing or the install fails, for a test to skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGES = ("subscriptions-transport-ws@0.11.0", "graphql@15.11.0")
SCRIPT = Path(__file__).with_name("subscriptions_transport_ws.js")


class Unavailable(Exception):
    """Node, npm or the packages cannot be had here."""


def installed(directory: Path) -> Path:
    """``directory`` with the packages installed in it (``npm install``, from the registry)."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        raise Unavailable("node and npm are needed to run the real subscriptions-transport-ws")
    try:
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--silent", *PACKAGES],
            cwd=directory,
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        raise Unavailable(f"npm install {' '.join(PACKAGES)} failed: {error}") from None
    return directory


@dataclass
class LegacyServer:
    url: str
    handshakes: list[dict[str, Any]] = field(default_factory=list)
    """Each handshake: ``offered`` (the Sec-WebSocket-Protocol header), ``authorised``."""


@contextmanager
def serve_legacy(directory: Path, sdl: str, token: str | None = None) -> Iterator[LegacyServer]:
    """The server on 127.0.0.1, its packages in ``directory`` (``installed``); ``handshakes`` is
    filled in when the block ends."""
    node = shutil.which("node")
    if node is None:
        raise Unavailable("node is needed to run the real subscriptions-transport-ws")
    env = {**os.environ, "SDL": sdl, "NODE_PATH": str(directory / "node_modules")}
    if token is not None:
        env["TOKEN"] = token
    process = subprocess.Popen(
        [node, str(SCRIPT)],
        cwd=directory,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if not first:
            raise Unavailable(f"the server did not start: {process.communicate()[1][-2000:]}")
        server = LegacyServer(f"http://127.0.0.1:{json.loads(first)['port']}/graphql")
        yield server
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=10)
    server.handshakes.extend(json.loads(line) for line in out.splitlines() if line.strip())
