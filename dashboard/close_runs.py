"""The state of a bulk close run, carried signed from one request to the next, and bound to its run: the
token says what the run is and how far it got; it is taken up again only by the agent who confirmed it, only
while the run still goes (its id in that agent's session: "Stop here" and the end take it out), and only
within minutes of its last step."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from django.core import signing
from django.http import HttpRequest

from dashboard.access import current_agent_id
from dashboard.appwrite import queries
from dashboard.pages import Filters, parse_filters

RUN_SALT = "dashboard.triage.close-run"
# The token is signed anew with every step: one left unused this long has expired.
RUN_MAX_AGE = 10 * 60
# The agent's session keeps the ids of the runs still going, a few (one per open tab).
LIVE_RUNS = "close-runs"
MAX_LIVE_RUNS = 4
# Failures listed by session ID in the report (all of them are counted).
MAX_LISTED_FAILURES = 50


def selection_of(filters: Filters, *, idle_minutes: int | None = None) -> queries.Selection:
    return queries.Selection(
        status=filters.status, search=filters.q, filters=filters.narrowing, idle_minutes=idle_minutes
    )


@dataclass
class CloseRun:
    kind: str  # "filter" (all matching), "idle" or "selected"
    filters: dict[str, str]
    idle_minutes: int | None = None
    created_before: str = ""
    expected: int = 0
    expected_capped: bool = False
    after: str | None = None
    closed: int = 0
    already_closed: int = 0
    failed: int = 0
    failures: list[list[str]] = field(default_factory=list)
    done: bool = False
    stopped: bool = False
    agent: str = ""  # the Appwrite user id of the agent who confirmed it
    run_id: str = ""

    def token(self) -> str:
        return signing.dumps(asdict(self), salt=RUN_SALT, compress=True)

    @classmethod
    def from_token(cls, token: str) -> CloseRun | None:
        try:
            return cls(**signing.loads(token, salt=RUN_SALT, max_age=RUN_MAX_AGE))
        except (signing.BadSignature, TypeError):
            return None

    def add(self, outcomes) -> None:
        for outcome in outcomes:
            if outcome.result == "closed":
                self.closed += 1
            elif outcome.result == "already_closed":
                self.already_closed += 1
            else:
                self.failed += 1
                if len(self.failures) < MAX_LISTED_FAILURES:
                    self.failures.append([outcome.row_id, outcome.session_id, outcome.reason])

    def selection(self) -> queries.Selection:
        filters = parse_filters(self.filters)
        created = datetime.fromisoformat(self.created_before) if self.created_before else None
        return replace(selection_of(filters, idle_minutes=self.idle_minutes), created_before=created)


def start_run(request: HttpRequest, run: CloseRun) -> CloseRun:
    """Makes the run this agent's, and one that goes on until it is done or stopped."""
    run.agent, run.run_id = current_agent_id(request), secrets.token_urlsafe(12)
    live = [run_id for run_id in request.session.get(LIVE_RUNS, []) if isinstance(run_id, str)]
    request.session[LIVE_RUNS] = [*live, run.run_id][-MAX_LIVE_RUNS:]
    return run


def end_run(request: HttpRequest, run: CloseRun) -> None:
    """A stopped or finished run: its token can no longer take it up again."""
    live = request.session.get(LIVE_RUNS, [])
    if run.run_id in live:
        request.session[LIVE_RUNS] = [run_id for run_id in live if run_id != run.run_id]


def resumed_run(request: HttpRequest) -> tuple[CloseRun | None, str]:
    """The run the posted token stands for, when it is this agent's and still goes; else None and why."""
    run = CloseRun.from_token(request.POST.get("progress", ""))
    if run is None:
        return None, "This close run has expired. Start it again."
    if not run.agent or run.agent != current_agent_id(request):
        return None, "This close run was started by another agent."
    if run.run_id not in request.session.get(LIVE_RUNS, []):
        return None, "This close run has ended: it was stopped or it is done. Start it again to close more."
    return run, ""
