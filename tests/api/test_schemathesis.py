"""The API against its own OpenAPI description (schemathesis): no 500, no status it does not
declare, no body that does not fit the schema it declares, and invalid input refused; with a
token, over a catalogue holding real versions, bounded in examples and time.

Each operation of the description is tried with ``EXAMPLES`` generated requests that fit it and
``EXAMPLES`` that do not (schemathesis's strategies, run by Hypothesis here rather than through
schemathesis's pytest plugin, whose fixture loader does not run on pytest 9). Every failure of
every operation is reported at the end, each once, shrunk to its smallest request.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from connectory import inspect
from connectory.api import create_app
from connectory.catalog import Catalog
from tests.support.samples import small_version

from .test_api import EXAMPLE

TOKEN = "schemathesis-t0ken-value"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = int(os.environ.get("CONNECTORY_SCHEMATHESIS_EXAMPLES", "12"))
"""Generated requests per operation and mode (positive, negative); more for a deeper search
(``CONNECTORY_SCHEMATHESIS_EXAMPLES=200``, with ``CONNECTORY_SCHEMATHESIS_RANDOM=1`` for other
examples than CI's, which are always the same)."""
RANDOM = os.environ.get("CONNECTORY_SCHEMATHESIS_RANDOM") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def api_schema(tmp_path: Path) -> schemathesis.BaseSchema:
    """The API with a token over onepassword@1.5.7 (a real document), acme@1.0.0 published and
    acme@1.1.0 drafted."""
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    with Catalog.open(url) as catalog:
        drafted = catalog.draft(inspect(EXAMPLE, connector="onepassword"))
        catalog.publish("onepassword", drafted.version.version or "")
        catalog.draft(small_version(connector="acme", seed="1"), label="1.0.0")
        catalog.publish("acme", "1.0.0")
        catalog.draft(small_version(connector="acme", seed="2"), label="1.1.0")
    app = create_app(url, token=SecretStr(TOKEN))
    return schemathesis.openapi.from_asgi("/openapi.json", app, headers=BEARER)


def test_the_api_answers_as_it_describes(api_schema: schemathesis.BaseSchema) -> None:
    failures: dict[str, str] = {}
    calls = 0
    started = time.monotonic()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=not RANDOM,
                phases=[Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            )
            def call(case: schemathesis.Case) -> None:
                nonlocal calls
                calls += 1
                case.call_and_validate(headers=BEARER, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:  # no parameter, no body: nothing can be sent that does not fit
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as error:
                failures[f"{operation.label} ({mode})"] = str(error)
    seconds = time.monotonic() - started
    print(f"schemathesis: {calls} requests in {seconds:.1f} s")  # shown with -s
    assert not failures, "\n\n".join(f"{where}:\n{what}" for where, what in failures.items())
