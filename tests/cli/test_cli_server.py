"""``connectory server`` and the flow commands without PREFECT_API_URL: Connectory's local
Prefect server, started once (by whichever command comes first) and reused.

One real server start in the whole file (``test_two_onboards_at_once_start_one_server_...``):
each costs ~12 s. The others check what happens without one: stale records, errors before any
start, PREFECT_API_URL winning, a start that takes too long.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from .conftest import CONNECTORY, Run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "openapi" / "1password-connect.json"
MARKER = "connectory.cli.server"
STARTING = "starting Connectory's local Prefect server (first run only)"


def _home(tmp_path: Path) -> Path:
    return tmp_path / "data" / "connectory" / "prefect"


def _server_processes(home: Path) -> list[int]:
    """The live processes serving ``home`` (their command line names the module and home)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if MARKER in line and str(home) in line:
            found.append(int(entry.name))
    return found


def _env(tmp_path: Path, catalog: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CONNECTORY_") and k != "PREFECT_API_URL"
    }
    return env | {
        "CONNECTORY_DATABASE_URL": f"sqlite:///{tmp_path / catalog}",
        "CONNECTORY_SECRETS_FILE": str(tmp_path / "secrets.json"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }


def _post(url: str, path: str) -> list[dict[str, object]]:
    answer = httpx.post(f"{url}{path}", json={}, timeout=30)
    answer.raise_for_status()
    found: list[dict[str, object]] = answer.json()
    return found


pytestmark = pytest.mark.skipif(not Path("/proc/self").exists(), reason="reads /proc")


@pytest.mark.slow
def test_two_onboards_at_once_start_one_server_that_the_next_commands_use(
    run: Run, tmp_path: Path
) -> None:
    assert CONNECTORY
    home = _home(tmp_path)
    commands = [
        subprocess.Popen(
            [CONNECTORY, "onboard", str(EXAMPLE), "--name", "op"],
            env=_env(tmp_path, f"catalog{i}.db"),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in (1, 2)
    ]
    outputs = [command.communicate(timeout=400) for command in commands]
    for command, (out, err) in zip(commands, outputs, strict=True):
        assert command.returncode == 0, err
        assert "Drafted op@1.5.7" in out
    starters = [err for _, err in outputs if STARTING in err]
    assert len(starters) == 1, [err for _, err in outputs]  # the other waited, then used it
    assert re.search(r"ready in \d+ s: http://127\.0\.0\.1:\d+/api", starters[0])

    record = json.loads((home / "server.json").read_text())
    assert _server_processes(home) == [record["pid"]]
    assert os.getsid(record["pid"]) == record["pid"]  # a session of its own: no Ctrl-C reaches it

    status = run("server", "status", "--json")
    assert status.returncode == 0, status.stderr
    shown = json.loads(status.stdout)
    url = f"http://127.0.0.1:{record['port']}/api"
    assert (shown["running"], shown["answering"], shown["url"], shown["pid"]) == (
        True,
        True,
        url,
        record["pid"],
    )
    assert shown["database"] == str(home / "prefect.db")
    assert Path(shown["database"]).is_file()

    # both were real Prefect flow runs, with their task states and artifact, on that server
    runs = _post(url, "/flow_runs/filter")
    assert sorted(str(r["state_type"]) for r in runs) == ["COMPLETED", "COMPLETED"]
    tasks = _post(url, "/task_runs/filter")
    assert {str(t["name"]).split("-")[0] for t in tasks} >= {"fetch", "parse", "draft"}
    assert {str(t["state_type"]) for t in tasks} == {"COMPLETED"}
    assert len([a for a in _post(url, "/artifacts/filter") if a["type"] == "markdown"]) >= 2

    again = run("onboard", str(EXAMPLE), "--name", "again")
    assert again.returncode == 0, again.stderr
    assert STARTING not in again.stderr
    assert len(_post(url, "/flow_runs/filter")) == 3
    started = run("server", "start")
    assert started.returncode == 0, started.stderr
    assert "already running" in started.stderr
    assert url in started.stdout

    stopped = run("server", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert f"stopped (pid {record['pid']})" in stopped.stdout
    assert _server_processes(home) == []
    assert not (home / "server.json").exists()
    assert json.loads(run("server", "status", "--json").stdout)["running"] is False


def test_a_stale_record_is_seen_for_what_it_is_and_replaced(run: Run, tmp_path: Path) -> None:
    home = _home(tmp_path)
    home.mkdir(parents=True)
    gone = subprocess.Popen(["true"])
    gone.wait()
    for pid in (gone.pid, os.getpid()):  # a dead pid; a live one that is not the server
        (home / "server.json").write_text(json.dumps({"pid": pid, "port": 9, "started": 0}))
        status = run("server", "status", "--json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["running"] is False
        assert not (home / "server.json").exists()
    (home / "server.json").write_text("{not json")
    stopped = run("server", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert "not running" in stopped.stdout
    assert not (home / "server.json").exists()


def test_bad_input_is_reported_before_any_server_starts(run: Run, tmp_path: Path) -> None:
    missing = run("onboard", "./nothere.yaml", "--name", "x")
    assert missing.returncode == 2
    assert "error: ./nothere.yaml: no such file" in missing.stderr
    scheme = run("onboard", "ftp://example.com/api.yaml", "--name", "x")
    assert scheme.returncode == 2
    assert "unsupported URL scheme 'ftp'" in scheme.stderr
    no_host = run("onboard", "http:///api.yaml", "--name", "x")
    assert no_host.returncode == 2
    assert "no host" in no_host.stderr
    name = run("onboard", str(EXAMPLE), "--name", "Not A Slug")
    assert name.returncode == 2
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    for args in (("onboard", str(EXAMPLE), "--name", "x"), ("reintrospect",)):
        catalog = run("--catalog", unreachable, *args)
        assert catalog.returncode == 1
        assert "cannot be reached" in catalog.stderr
    assert STARTING not in missing.stderr + catalog.stderr
    assert not (tmp_path / "data").exists()  # no server home, so no server, was ever made
    assert _server_processes(_home(tmp_path)) == []


def test_prefect_api_url_wins(run: Run, tmp_path: Path, prefect_api_url: str) -> None:
    result = run("onboard", str(EXAMPLE), "--name", "op", api_url=prefect_api_url)
    assert result.returncode == 0, result.stderr
    assert STARTING not in result.stderr
    assert not (tmp_path / "data").exists()
    runs = httpx.post(f"{prefect_api_url}/flow_runs/filter", json={}, timeout=30).json()
    assert any(r["parameters"].get("name") == "op" for r in runs)


def test_a_start_that_takes_too_long_names_the_settings_that_help(run: Run, tmp_path: Path) -> None:
    home = _home(tmp_path)
    slow = run("server", "start", env={"CONNECTORY_SERVER_START_SECONDS": "0"})
    assert slow.returncode == 1
    assert "did not answer within 0 s" in slow.stderr
    assert "CONNECTORY_SERVER_START_SECONDS" in slow.stderr
    assert "PREFECT_API_URL" in slow.stderr
    [pid] = _server_processes(home)  # still starting, and known: not orphaned
    stopped = run("server", "stop")
    assert f"stopped (pid {pid})" in stopped.stdout
    assert _server_processes(home) == []


def test_the_readmes_server_commands_exist(run: Run) -> None:
    readme = (ROOT / "README.md").read_text()
    documented = re.findall(r"^ {4}connectory (server \w+.*)$", readme, flags=re.MULTILINE)
    assert {line.split()[1] for line in documented} == {"start", "status", "stop"}
    for line in documented:
        options = [w.strip("[]") for w in line.split() if w.strip("[]").startswith("--")]
        shown = run(*line.split()[:2], "--help")
        assert shown.returncode == 0, shown.stderr
        for option in options:
            assert option in shown.stdout, (line, option)
