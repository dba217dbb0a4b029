"""Request-parsing servers on loopback for request bodies: each decodes what it is sent with a
real parser and answers what it decoded, as JSON.

- ``serve_parsed()``: Python; multipart bodies parsed by werkzeug (Flask's parser), any other
  body kept as its bytes (base64) with its Content-Type.
- ``node_qs_server(directory)``: Node; ``application/x-www-form-urlencoded`` bodies parsed by
  ``qs`` (the bracket syntax Stripe's libraries write and PHP, Rails and Express read:
  ``a[b][0][c]=1``), multipart bodies by Node's own ``Response.formData()`` (undici). ``qs`` is
  installed with npm into ``directory``; ``NodeUnavailable`` says why when it cannot be.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from .servers import running

_NODE_SERVER = r"""
const http = require('http');
const qs = require('qs');

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const type = req.headers['content-type'] || '';
  const answer = {method: req.method, path: req.url, content_type: type};
  try {
    if (type.startsWith('application/x-www-form-urlencoded')) {
      answer.raw = body.toString('utf8');
      answer.parsed = qs.parse(answer.raw, {depth: 20, arrayLimit: 1000, parameterLimit: 10000});
    } else if (type.startsWith('multipart/form-data')) {
      const form = await new Response(body, {headers: {'content-type': type}}).formData();
      answer.parts = [];
      for (const [name, value] of form.entries()) {
        if (typeof value === 'string') {
          answer.parts.push({name, value});
        } else {
          const bytes = Buffer.from(await value.arrayBuffer());
          answer.parts.push({name, filename: value.name, type: value.type,
                             base64: bytes.toString('base64')});
        }
      }
    } else {
      res.writeHead(415, {'content-type': 'application/json'});
      res.end(JSON.stringify({error: 'unsupported media type: ' + type}));
      return;
    }
  } catch (error) {
    res.writeHead(400, {'content-type': 'application/json'});
    res.end(JSON.stringify({error: String(error)}));
    return;
  }
  res.writeHead(200, {'content-type': 'application/json'});
  res.end(JSON.stringify(answer));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
"""


class NodeUnavailable(Exception):
    """Node, npm or the ``qs`` package cannot be had here (the message says which)."""


def install_qs(directory: Path) -> Path:
    """``qs`` installed with npm into ``directory`` (once); the server script beside it."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise NodeUnavailable("node and npm are needed for the qs form parser: not on PATH")
    if not (directory / "node_modules" / "qs").is_dir():
        try:
            done = subprocess.run(
                [npm, "install", "--prefix", str(directory), "--no-audit", "--no-fund", "qs@6"],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise NodeUnavailable("npm install qs@6 took longer than 180 s") from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise NodeUnavailable(f"npm install qs@6 failed: {' | '.join(tail)}")
    script = directory / "server.js"
    script.write_text(_NODE_SERVER)
    return script


@contextmanager
def node_qs_server(directory: Path) -> Iterator[str]:
    """The Node server (``qs`` installed into ``directory``) on 127.0.0.1; its base URL."""
    script = install_qs(directory)
    node = shutil.which("node")
    assert node is not None
    process = subprocess.Popen(
        [node, str(script)],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        if not port.isdigit():
            error = process.stderr.read() if process.stderr else ""
            raise NodeUnavailable(f"the Node form server did not start: {error.strip()[:300]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _multipart(body: bytes, content_type: str) -> list[Any]:
    from werkzeug.formparser import MultiPartParser  # tests needing it importorskip werkzeug
    from werkzeug.http import parse_options_header

    _, options = parse_options_header(content_type)
    form, files = MultiPartParser().parse(io.BytesIO(body), options["boundary"].encode(), len(body))
    parts: list[Any] = [{"name": name, "value": value} for name, value in form.items(multi=True)]
    for name, stored in files.items(multi=True):
        parts.append(
            {
                "name": name,
                "filename": stored.filename,
                "type": stored.content_type,
                "base64": base64.b64encode(stored.read()).decode(),
            }
        )
    return parts


@contextmanager
def serve_parsed() -> Iterator[str]:
    """The Python parsing server on 127.0.0.1 (werkzeug for multipart); its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            content_type = self.headers.get("Content-Type", "")
            answer: dict[str, Any] = {
                "method": self.command,
                "path": self.path,
                "content_type": content_type,
            }
            if content_type.startswith("multipart/form-data"):
                answer["parts"] = _multipart(body, content_type)
            else:
                answer["base64"] = base64.b64encode(body).decode()
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_PUT = do_POST

        def log_message(self, format: str, *args: object) -> None:
            pass

    with running(Handler) as base_url:
        yield base_url
