"""What the flows' artifacts, results and final states say: one line per error, markdown table
cells, a run's outcomes collected item by item (``collect``, ``Outcomes``), the Failed state
of a run some of whose items failed (``finished``), the auth check's part of an onboarding
artifact (``auth_markdown``) and the Failed state of an onboarding whose auth check was required
and did not pass (``auth_not_verified``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from prefect import get_run_logger
from prefect.states import Failed, State
from pydantic import BaseModel, ConfigDict

from connectory.errors import ConnectoryError
from connectory.model.version import ConnectorVersion
from connectory.onboarding import AuthCheck

__all__ = [
    "AuthNotVerified",
    "ItemOutcome",
    "ItemsFailed",
    "Outcomes",
    "auth_markdown",
    "auth_not_verified",
    "cell",
    "collect",
    "error_text",
    "finished",
    "items_failed",
]

R = TypeVar("R")


class ItemOutcome(BaseModel):
    """What a run did to one of its items: a subclass declares ``status`` (``failed`` when the
    item failed) where its fields are to be listed."""

    model_config = ConfigDict(frozen=True)

    if TYPE_CHECKING:
        status: str


Item = TypeVar("Item", bound=ItemOutcome)


class Outcomes(BaseModel, Generic[Item]):
    """A run's result: one outcome per item."""

    model_config = ConfigDict(frozen=True)

    outcomes: list[Item]

    @property
    def failed(self) -> list[Item]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]


def error_text(error: BaseException) -> str:
    """One line for a failure: Connectory's own errors name the problem and where it is."""
    if isinstance(error, ConnectoryError):
        return str(error)
    first = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {first}"


def cell(text: object) -> str:
    """``text`` fit for a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


class ItemsFailed(ConnectoryError, Generic[R]):
    """Some items of a run failed (documents of a batch, endpoints to re-introspect).

    The run ends Failed, so that whatever watches run states (a scheduler, an automation, the
    UI) learns of it; calling the flow raises this error, and ``result`` holds every item's
    outcome, the failed and the others.
    """

    def __init__(self, message: str, result: R) -> None:
        super().__init__(message)
        self.result = result

    def __reduce__(self) -> tuple[Any, ...]:  # Prefect may persist a run's result (pickle)
        return (type(self), (self.message, self.result))


def items_failed(message: str, result: R) -> State[Any]:
    """The final state of a run some of whose items failed: Failed, with ``message``."""
    return Failed(message=message, data=ItemsFailed(message, result))


T = TypeVar("T")


def collect(
    items: Iterable[T],
    outcome: Callable[[T], Item],
    failure: Callable[[T, Exception], Item],
) -> list[Item]:
    """Each item's ``outcome``, in order, or its ``failure`` when that raises; each logged (a
    failure as a warning), none stopping the others."""
    logger = get_run_logger()
    outcomes = []
    for item in items:
        try:
            found = outcome(item)
        except Exception as error:
            found = failure(item, error)
            logger.warning("%s", found)
        else:
            logger.info("%s", found)
        outcomes.append(found)
    return outcomes


Result = TypeVar("Result", bound=Outcomes[Any])


def finished(result: Result, what: str) -> Result | State[Any]:
    """The end of a run: ``result``, or when some of its items failed, the Failed state
    ``"<failed> of <all> <what>"`` (``items_failed``)."""
    if result.failed:
        return items_failed(f"{len(result.failed)} of {len(result.outcomes)} {what}", result)
    return result


def auth_markdown(check: AuthCheck, version: ConnectorVersion) -> str:
    """The auth check's section of an onboarding artifact: its status, its reason, and whether
    ``version`` (as stored) records it. The result holds no secret (see
    ``connectory.vetting.checks.check_auth``)."""
    result = check.result
    finding = check.finding
    if finding is None:
        recorded = "Nothing is recorded on the version: no credentials were tried."
    elif finding in version.findings:
        recorded = f"Recorded on {version.ref} (a finding `{finding.kind}`, {finding.severity})."
    else:
        recorded = f"Not recorded: {version.ref} was drafted before this run."
    return f"\n## Auth check\n\n**{result.status}**: {cell(result.message)}\n\n{recorded}\n"


class AuthNotVerified(ConnectoryError, Generic[R]):
    """An onboarding run asked to require auth (``--require-auth``) and the live auth check did
    not pass. The run ends Failed; the version stays as the run left it (drafted, published);
    calling the flow raises this error, whose ``result`` is the run's result."""

    def __init__(self, message: str, result: R) -> None:
        super().__init__(message)
        self.result = result

    def __reduce__(self) -> tuple[Any, ...]:  # Prefect may persist a run's result (pickle)
        return (type(self), (self.message, self.result))


def auth_not_verified(version: ConnectorVersion, check: AuthCheck, result: R) -> State[Any]:
    """The final state of an onboarding whose required auth check did not pass: Failed, saying
    whether it failed or was skipped, and why."""
    status = check.result.status
    message = (
        f"--require-auth: the live auth check of {version.ref} {status}: {check.result.message} "
        f"(the {version.state} version is kept)"
    )
    return Failed(message=message, data=AuthNotVerified(message, result))
