"""``invoke`` against a rate-limiting server on loopback: Retry-After, backoff, the budget."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from connectory.errors import SourceUnreachable
from connectory.runtime import invoke
from connectory.runtime.retry import Retries, backoff, retry_after
from tests.support.traffic import Answer, Seen, serve_traffic, things_version


class Limited:
    """Answers ``busy`` (status, headers) to the first ``times`` requests, then 200."""

    def __init__(self, times: int, status: int = 429, headers: dict[str, str] | None = None):
        self.times, self.status, self.headers = times, status, headers or {}

    def __call__(self, seen: Seen) -> Answer:
        if self.times > 0:
            self.times -= 1
            return Answer(self.status, {"message": "slow down"}, dict(self.headers))
        return Answer(201 if seen.method == "POST" else 200, [{"id": 1}])


def test_retry_after_in_seconds_is_waited_and_the_call_succeeds(tmp_path: Path) -> None:
    version, waits = things_version(tmp_path), []
    with serve_traffic(Limited(2, headers={"Retry-After": "2"})) as server:
        done = invoke(version, "listThings", server=server.base_url, sleep=waits.append)
    assert (done.status, done.problems, len(server.seen)) == (200, [], 3)
    assert waits == [2.0, 2.0]


def test_retry_after_as_a_date(tmp_path: Path) -> None:
    version, waits = things_version(tmp_path), []
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    with serve_traffic(Limited(1, 503, {"Retry-After": when})) as server:
        done = invoke(version, "listThings", server=server.base_url, sleep=waits.append)
    assert done.status == 200
    assert len(waits) == 1
    assert 3.0 < waits[0] <= 5.0


def test_a_real_one_second_retry_after(tmp_path: Path) -> None:
    version = things_version(tmp_path)
    with serve_traffic(Limited(1, headers={"Retry-After": "1"})) as server:
        started = time.monotonic()
        done = invoke(version, "listThings", server=server.base_url)
    assert done.status == 200
    assert time.monotonic() - started >= 1.0


def test_without_retry_after_backoff_then_the_last_answer(tmp_path: Path) -> None:
    version, waits = things_version(tmp_path), []
    with serve_traffic(Limited(10, 503)) as server:
        done = invoke(version, "listThings", server=server.base_url, sleep=waits.append)
    assert (done.status, len(server.seen)) == (503, 4)  # the first try and 3 retries
    assert len(waits) == 3
    assert all(0 <= wait <= 0.5 * 2**n for n, wait in enumerate(waits))


def test_a_wait_beyond_the_budget_is_an_error_at_once(tmp_path: Path) -> None:
    version, waits = things_version(tmp_path), []
    with (
        serve_traffic(Limited(10, headers={"Retry-After": "3600"})) as server,
        pytest.raises(SourceUnreachable) as raised,
    ):
        invoke(version, "listThings", server=server.base_url, sleep=waits.append)
    assert "the server asks to wait 3600 s, more than the 30 s allowed" in str(raised.value)
    assert "--max-wait" in str(raised.value)
    assert (waits, len(server.seen)) == ([], 1)


def test_the_budget_counts_every_wait(tmp_path: Path) -> None:
    version, waits = things_version(tmp_path), []
    with (
        serve_traffic(Limited(10, headers={"Retry-After": "4"})) as server,
        pytest.raises(SourceUnreachable, match="wait 4 s, more than the 10 s allowed"),
    ):
        invoke(
            version,
            "listThings",
            server=server.base_url,
            retries=5,
            max_wait_seconds=10,
            sleep=waits.append,
        )
    assert waits == [4.0, 4.0]


def test_retries_zero_and_a_post_answered_503_are_not_retried(tmp_path: Path) -> None:
    version, waits = things_version(tmp_path), []
    with serve_traffic(Limited(10, 503, {"Retry-After": "1"})) as server:
        once = invoke(version, "listThings", server=server.base_url, retries=0, sleep=waits.append)
        post = invoke(version, "addThing", {"body": {"id": 1}}, server=server.base_url, sleep=waits.append)  # fmt: skip
    assert (once.status, post.status, len(server.seen), waits) == (503, 503, 2, [])


def test_a_post_answered_429_is_retried(tmp_path: Path) -> None:
    version, waits = things_version(tmp_path), []
    with serve_traffic(Limited(1, headers={"Retry-After": "0"})) as server:
        done = invoke(version, "addThing", {"body": {"id": 1}}, server=server.base_url, sleep=waits.append)  # fmt: skip
    assert (done.status, [s.method for s in server.seen], waits) == (201, ["POST", "POST"], [])


def test_a_server_that_cannot_be_reached_is_tried_again_for_a_get(tmp_path: Path) -> None:
    version, waits = things_version(tmp_path), []
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # nothing listens there
    with pytest.raises(SourceUnreachable, match="cannot connect"):
        invoke(version, "listThings", server=f"http://127.0.0.1:{port}", sleep=waits.append)
    with pytest.raises(SourceUnreachable, match="cannot connect"):
        invoke(version, "addThing", {"body": {"id": 1}}, server=f"http://127.0.0.1:{port}", sleep=waits.append)  # fmt: skip
    assert len(waits) == 3  # the GET's; the POST is not sent again


def test_retry_after_values() -> None:
    assert retry_after("120") == 120.0
    assert retry_after(" 0 ") == 0.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert retry_after("-5") is None
    assert retry_after("soon") is None
    assert retry_after(None) is None
    assert backoff(3, rng=lambda: 1.0) == 4.0
    assert backoff(1000, rng=lambda: 0.0) == 0.0


def test_backoff_never_waits_past_the_budget() -> None:
    waits: list[float] = []
    budget = Retries(retries=10, max_wait_seconds=2.0, sleep=waits.append, rng=lambda: 1.0)
    attempts = 0
    while budget.wait(attempts, {}, "http://x"):
        attempts += 1
    assert sum(waits) == 2.0
    assert waits == [0.5, 1.0, 0.5]
