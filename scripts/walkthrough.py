"""Run the README's walkthrough on a fresh catalogue and record what each command prints.

    python scripts/walkthrough.py [--out docs]

The commands are read from the README itself: each fenced block right after a
``<!-- walkthrough -->`` line, one command a line, run in order from the checkout's root exactly as
written (by ``bash -c``), so the README and what is recorded cannot drift apart. The whole walk
runs twice, side by side, each on a catalogue of its own in a temporary folder: at 80 and at 120
columns (``COLUMNS``), into ``docs/walkthrough-80.txt`` and ``docs/walkthrough-120.txt``.

The flows run on the Prefect server named by ``PREFECT_API_URL`` when it is set (quick), else on
Prefect's embedded server (each onboarding starts one: a minute or so). No ``CONNECTORY_*`` variable
of the caller leaks in, and the secrets file is a fresh one. Exit code 1 when a command failed
(its exit code is in the transcript).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MARKER = "<!-- walkthrough -->"
WIDTHS = (80, 120)
TIMEOUT = 600  # seconds a command may take (an onboarding on the embedded server: about one)

_FENCE = re.compile(r"^```")


def walkthrough_commands(readme: str) -> list[str]:
    """The commands of every fenced block marked ``<!-- walkthrough -->``, in order (blank lines and
    lines that are only a comment left out). A marker without a block right after it is an error."""
    lines = readme.splitlines()
    commands: list[str] = []
    for index, line in enumerate(lines):
        if line.strip() != MARKER:
            continue
        start = index + 1
        if start >= len(lines) or not _FENCE.match(lines[start]):
            raise ValueError(f"README line {index + 1}: {MARKER} is not followed by a ``` block")
        for body in lines[start + 1 :]:
            if _FENCE.match(body):
                break
            command = body.strip()
            if command and not command.startswith("#"):
                commands.append(command)
        else:
            raise ValueError(f"README line {start + 1}: the walkthrough block is not closed")
    return commands


def _environment(folder: Path, width: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTORY_")}
    env["CONNECTORY_DATABASE_URL"] = f"sqlite:///{folder / 'connectory.db'}"
    env["CONNECTORY_SECRETS_FILE"] = str(folder / "credentials.json")
    env["COLUMNS"] = str(width)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    if not env.get("PREFECT_API_URL"):
        env["PREFECT_HOME"] = str(folder / "prefect")  # one embedded server's database per walk
    venv = ROOT / ".venv" / "bin"
    if venv.is_dir():
        env["PATH"] = f"{venv}{os.pathsep}{env.get('PATH', '')}"
    return env


def walk(commands: list[str], width: int) -> tuple[str, bool]:
    """The transcript of ``commands`` run at ``width`` columns on a fresh catalogue, and whether
    every one succeeded."""
    parts = [
        f"# The README's walkthrough at COLUMNS={width}, on a fresh catalogue "
        "(recorded by scripts/walkthrough.py)\n"
    ]
    succeeded = True
    with tempfile.TemporaryDirectory(prefix="connectory-walkthrough-") as tmp:
        folder = Path(tmp)
        env = _environment(folder, width)
        for command in commands:
            try:
                done = subprocess.run(
                    ["bash", "-c", command],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    timeout=TIMEOUT,
                    check=False,
                )
                output, code = done.stdout, done.returncode
            except subprocess.TimeoutExpired:
                output, code = f"(stopped after {TIMEOUT} s)\n", -1
            output = output.replace(str(folder), "$TMP").replace(str(ROOT), "$CHECKOUT")
            parts.append(f"\n$ {command}\n{output}")
            if code != 0:
                parts.append(f"[exit code {code}]\n")
                succeeded = False
    return "".join(parts), succeeded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the transcripts go")
    args = parser.parse_args(argv)
    commands = walkthrough_commands(README.read_text(encoding="utf-8"))
    if not commands:
        print(f"error: no {MARKER} block in {README}", file=sys.stderr)
        return 1
    prefect = os.environ.get("PREFECT_API_URL") or "Connectory's local Prefect server"
    print(f"{len(commands)} commands at {', '.join(map(str, WIDTHS))} columns; flows on {prefect}")
    with ThreadPoolExecutor(len(WIDTHS)) as pool:
        walks = list(pool.map(lambda width: walk(commands, width), WIDTHS))
    args.out.mkdir(parents=True, exist_ok=True)
    for width, (transcript, succeeded) in zip(WIDTHS, walks, strict=True):
        path = args.out / f"walkthrough-{width}.txt"
        path.write_text(transcript, encoding="utf-8")
        print(f"{path}: {'every command succeeded' if succeeded else 'a command FAILED'}")
    return 0 if all(succeeded for _, succeeded in walks) else 1


if __name__ == "__main__":
    sys.exit(main())
