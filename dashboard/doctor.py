"""The schema doctor: checks the endpoint, project, key and its scopes, the database, both collections with
their attributes and indexes, and the agents team, and says how to fix each problem. Deployments drift
from what the code expects (attributes missing, or of another type); this tells an operator what is wrong
in one command (`manage.py appwrite_doctor`, or `manage.py check --tag appwrite`).

Every Appwrite question goes through dashboard/appwrite/ (schema.py, health.py); the expected schema is
schema.py's own (SESSION_ATTRIBUTES & co., what `appwrite_setup` creates), never a copy.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core import checks

from dashboard import doctor_messages
from dashboard.appwrite import errors, health, resilience, schema
from dashboard.doctor_report import ERROR, OK, SKIPPED, STRING_SIZES, WARNING, Finding, Report, plain

T = TypeVar("T")

TAG = "appwrite"
SETUP = "run `python manage.py appwrite_setup` (it creates only what is missing and changes nothing else)"
# The seed schema lists these under "Optional Fields": without them the dashboard shows less, but works.
OPTIONAL_ATTRIBUTES = frozenset({"userMeta", "theme"})
INDEX_USES = {
    ("status", "lastSeen"): "the status tabs, their counts and the idle filter",
    ("lastSeen",): "sorting by last seen",
    ("sessionId",): "the session ID search and each session's messages",
}


class _Stop(Exception):
    """The remaining checks cannot run (no endpoint, no project, a refused key)."""


def _endpoint_shown() -> str:
    """The endpoint without any user:password part."""
    parts = urlsplit(settings.APPWRITE_ENDPOINT)
    return plain(urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1])), 200)


def _unreachable_reason(error: errors.AppwriteError) -> str:
    message = str(error)
    if error.type == errors.CIRCUIT_OPEN:
        return "it failed too often just now"
    if "refused" in message:
        return "connection refused"
    if "timed out" in message.lower() or "timeout" in message.lower() or error.type == errors.BUDGET_SPENT:
        return f"no answer within APPWRITE_TIMEOUT_SECONDS ({settings.APPWRITE_TIMEOUT_SECONDS:g} s)"
    if "resolve" in message or "not known" in message or "getaddrinfo" in message:
        return "its host name does not resolve"
    if error.status:
        return f"it answered {error.status} {plain(error.type or message, 80)}"
    return plain(message)


def _console_path(collection_id: str, tab: str = "") -> str:
    tab = tab or ("Columns" if settings.APPWRITE_API == "tablesdb" else "Attributes")
    database_id = plain(settings.APPWRITE_DATABASE_ID, 80)
    return f"in the Appwrite console (Databases → {database_id} → {plain(collection_id, 80)} → {tab})"


def _cli_delete(collection_id: str, key: str) -> str:
    ids = f"--database-id {plain(settings.APPWRITE_DATABASE_ID, 80)}"
    if settings.APPWRITE_API == "tablesdb":
        return f"appwrite tables-db delete-column {ids} --table-id {plain(collection_id, 80)} --key {key}"
    return f"appwrite databases delete-attribute {ids} --collection-id {plain(collection_id, 80)} --key {key}"


def _describe(kind: str, size: int | None) -> str:
    return f"{kind}, {size}" if size else kind


# -- The checks ---------------------------------------------------------------------------


class _Doctor:
    """Runs the checks in order, each under its own time budget, collecting findings."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.timeout = settings.APPWRITE_TIMEOUT_SECONDS

    def add(self, level: str, what: str, fix: str = "", code: str = "") -> None:
        self.findings.append(Finding(level, what, fix, code))

    def ask(self, call: Callable[[], T], seconds: float | None = None) -> T:
        with resilience.budget(seconds or resilience.BUDGET_TIMEOUTS * self.timeout):
            return call()

    def not_checked(self, what: str, error: errors.AppwriteError) -> None:
        if isinstance(error, errors.AppwriteUnavailable | errors.RateLimited):
            reason = _unreachable_reason(error)
        else:
            reason = f"Appwrite answered {error.status or 'something unreadable'} {plain(error.type or error, 80)}"
        self.add(
            ERROR,
            f"{what} could not be checked: {reason}",
            "check that Appwrite is up and answering, then run the doctor again",
            "E010",
        )

    def run(self) -> Report:
        try:
            self.endpoint()
            database = self.project_and_key()
            self.scopes()
            if self.database(database):
                self.collection(
                    settings.APPWRITE_SESSIONS_COLLECTION_ID,
                    schema.SESSION_ATTRIBUTES,
                    schema.SESSION_INDEXES,
                    OPTIONAL_ATTRIBUTES,
                )
                messages_id = settings.APPWRITE_MESSAGES_COLLECTION_ID
                # Only `sessionId` is assumed; the text and sender are the deployment's own (doctor_messages.py).
                linked = [attribute for attribute in schema.MESSAGE_ATTRIBUTES if attribute[1] == "sessionId"]
                if self.collection(messages_id, linked, schema.MESSAGE_INDEXES, frozenset()):
                    self.messages_schema(messages_id)
            self.team()
        except _Stop:
            self.add(SKIPPED, "the remaining checks: they need the endpoint, project and key above")
        return Report(tuple(self.findings))

    def endpoint(self) -> None:
        if not settings.APPWRITE_ENDPOINT:
            self.add(
                ERROR,
                "APPWRITE_ENDPOINT is not set",
                "set APPWRITE_ENDPOINT (e.g. https://cloud.appwrite.io/v1), APPWRITE_PROJECT_ID and "
                "APPWRITE_API_KEY in the environment or in .env",
                "E001",
            )
            raise _Stop
        try:
            version = self.ask(health.appwrite_version, self.timeout)
        except errors.AppwriteUnavailable as error:
            self.add(
                ERROR,
                f"Appwrite cannot be reached at {_endpoint_shown()}: {_unreachable_reason(error)}",
                "check APPWRITE_ENDPOINT, that Appwrite is running, and that this machine can reach it "
                "(DNS, firewall, proxy)",
                "E001",
            )
            raise _Stop from None
        except errors.AppwriteError:
            self.add(
                ERROR,
                f"{_endpoint_shown()} answers, but not as Appwrite's API",
                "APPWRITE_ENDPOINT must be the API address, ending in /v1 (e.g. https://appwrite.example.com/v1)",
                "E001",
            )
            raise _Stop from None
        self.add(OK, f"endpoint {_endpoint_shown()} answers: Appwrite {plain(version, 40)}")

    def project_and_key(self) -> errors.AppwriteError | None:
        """Returns how the database question went (None: found); the key's own problems stop the doctor."""
        project = settings.APPWRITE_PROJECT_ID
        try:
            self.ask(schema.get_database)
            outcome = None
        except errors.AppwriteError as error:
            outcome = error
        if outcome is not None and outcome.type == "project_not_found":
            self.add(
                ERROR,
                f"project {plain(project, 80)} does not exist on this Appwrite",
                "set APPWRITE_PROJECT_ID to the project ID shown in the console (project → Settings)",
                "E002",
            )
            raise _Stop
        if outcome is not None and outcome.type == "general_route_not_found":
            self.add(
                ERROR,
                f"this Appwrite has no {settings.APPWRITE_API} API",
                "set APPWRITE_API=databases for Appwrite before 1.8, or APPWRITE_API=tablesdb for 1.8 and newer",
                "E005",
            )
            raise _Stop
        if isinstance(outcome, errors.Unauthorized) and outcome.type != "general_unauthorized_scope":
            why = "has expired" if outcome.type == "project_key_expired" else "is not a key of this project"
            self.add(
                ERROR,
                f"Appwrite refused the API key: it {why} ({plain(outcome.type or outcome.status, 60)})",
                "set APPWRITE_API_KEY to a server API key of this project (console: project → Overview → "
                "Integrations → API keys)",
                "E003",
            )
            raise _Stop
        if outcome is not None and not isinstance(outcome, errors.NotFound | errors.Unauthorized):
            self.not_checked("the project and API key", outcome)
            raise _Stop
        self.add(OK, f"project {plain(project, 80)} and API key accepted")
        return outcome

    def scopes(self) -> None:
        try:
            probes = self.ask(schema.probe_scopes)
        except errors.AppwriteError as error:
            self.not_checked("the API key's scopes", error)
            return
        for probe in probes:
            if probe.granted:
                self.add(OK, f"scope {probe.scope}: {probe.used_for}")
                continue
            also = ""
            if probe.scope.startswith("rows."):
                also = f" (consoles before 1.8 call it {probe.scope.replace('rows.', 'documents.')})"
            self.add(
                ERROR,
                f"the API key lacks the scope {probe.scope}: the dashboard {probe.used_for}",
                f"add {probe.scope}{also} to the key's scopes (console: project → Overview → Integrations → "
                "API keys → the key → Scopes)",
                "E004",
            )

    def database(self, outcome: errors.AppwriteError | None) -> bool:
        database_id = plain(settings.APPWRITE_DATABASE_ID, 80)
        if outcome is None:
            self.add(OK, f"database {database_id}")
            return True
        if outcome.type == "general_unauthorized_scope":
            self.add(
                WARNING,
                f"database {database_id} and its collections not checked: the key lacks databases.read",
                "the dashboard does not need that scope; to check the schema run the doctor with the key you "
                "run appwrite_setup with: `APPWRITE_API_KEY=<that key> python manage.py appwrite_doctor`",
                "W004",
            )
            return False
        self.add(
            ERROR,
            f"database {database_id} does not exist",
            f"{SETUP}, or set APPWRITE_DATABASE_ID to the database that holds the sessions",
            "E005",
        )
        return False

    def collection(
        self, collection_id: str, attributes: Sequence[tuple], indexes: Sequence[tuple], optional: frozenset[str]
    ) -> bool:
        """Checks the collection's attributes and indexes; False when it could not be checked."""
        shown = plain(collection_id, 80)
        try:
            self.ask(lambda: schema.get_collection(collection_id))
            found = self.ask(lambda: schema.list_attributes(collection_id, [attribute[1] for attribute in attributes]))
            present = self.ask(lambda: schema.list_indexes(collection_id))
        except errors.NotFound:
            self.add(ERROR, f"collection {shown} does not exist", SETUP, "E006")
            return False
        except errors.Unauthorized as error:
            if error.type != "general_unauthorized_scope":
                raise
            scope = "tables.read" if settings.APPWRITE_API == "tablesdb" else "collections.read"
            self.add(
                WARNING,
                f"collection {shown} not checked: the key lacks {scope}",
                "the dashboard does not need that scope; to check the schema run the doctor with the key you "
                "run appwrite_setup with: `APPWRITE_API_KEY=<that key> python manage.py appwrite_doctor`",
                "W004",
            )
            return False
        except errors.AppwriteError as error:
            self.not_checked(f"collection {shown}", error)
            return False
        self.add(OK, f"collection {shown}")
        by_key = {attribute.key: attribute for attribute in found}
        for kind, key, size, _required, _default in attributes:
            self.attribute(collection_id, key, kind, size, by_key.get(key), key in optional)
        for key, columns in indexes:
            self.index(collection_id, key, tuple(columns), present)
        return True

    def messages_schema(self, collection_id: str) -> None:
        try:
            doctor_messages.check(collection_id, self.add, self.ask)
        except errors.AppwriteError as error:
            self.not_checked(f"the text and sender attributes of {plain(collection_id, 80)}", error)

    def attribute(
        self,
        collection_id: str,
        key: str,
        kind: str,
        size: int | None,
        actual: schema.Attribute | None,
        optional: bool,
    ) -> None:
        name = f"{plain(collection_id, 80)}.{key}"
        expected = _describe(kind, size)
        if actual is None:
            if optional:
                self.add(
                    WARNING,
                    f"attribute {name} ({expected}) is missing: the dashboard shows less without it",
                    SETUP,
                    "W001",
                )
            else:
                self.add(ERROR, f"attribute {name} ({expected}) is missing: the dashboard reads it", SETUP, "E007")
            return
        actual_kind = "string" if actual.type in STRING_SIZES else actual.type
        if actual_kind != kind or actual.array:
            described = plain(actual.type, 40) + (" array" if actual.array else "")
            self.add(
                ERROR,
                f"attribute {name} is {described}, the dashboard needs {kind}",
                f"Appwrite cannot change an attribute's type: {_console_path(collection_id)} delete {key} "
                "(its values are lost: export them first if they matter), or "
                f"`{_cli_delete(collection_id, key)}`; then {SETUP} to create it as {expected}",
                "E008",
            )
            return
        if actual.status in ("failed", "stuck"):
            self.add(
                ERROR,
                f"attribute {name}: Appwrite failed to build it (status {plain(actual.status, 20)})",
                f"{_console_path(collection_id)} delete {key}, then {SETUP}",
                "E008",
            )
            return
        if actual.status != "available":
            self.add(
                WARNING,
                f"attribute {name} is not ready yet (status {plain(actual.status, 20)})",
                "wait a minute for Appwrite to build it, then run the doctor again",
                "W005",
            )
            return
        actual_size = actual.size if actual.size is not None else STRING_SIZES.get(actual.type)
        if kind == "string" and size and actual_size is not None and actual_size < size:
            self.add(
                WARNING,
                f"attribute {name} holds {actual_size} characters, the schema has {size}: "
                "longer values are refused when written",
                f"{_console_path(collection_id)} open {key} and set its size to {size}",
                "W002",
            )
            return
        self.add(OK, f"attribute {name} ({_describe(kind, actual_size)})")

    def index(self, collection_id: str, key: str, columns: tuple[str, ...], present: list[schema.SchemaIndex]) -> None:
        shown = f"{plain(collection_id, 80)}({', '.join(columns)})"
        use = INDEX_USES.get(columns, "its queries")
        matching = [index for index in present if index.attributes == columns]
        if any(index.status == "available" for index in matching):
            self.add(OK, f"index on {shown}")
            return
        fix = SETUP
        if matching:
            fix = (
                f"{_console_path(collection_id, 'Indexes')} delete the index {plain(matching[0].key, 60)} "
                f"(status {plain(matching[0].status, 20)}), then {SETUP}"
            )
        elif any(index.key.lower() == key.lower() for index in present):
            fix = (
                f"an index named {key} exists on other attributes, so appwrite_setup leaves it: "
                f"{_console_path(collection_id, 'Indexes')} create a key index on ({', '.join(columns)}) "
                "under another name"
            )
        self.add(WARNING, f"index on {shown} is missing: {use} get slow as the collection grows", fix, "W003")

    def team(self) -> None:
        team_id = plain(settings.APPWRITE_AGENTS_TEAM_ID, 80)
        try:
            self.ask(lambda: schema.get_team(settings.APPWRITE_AGENTS_TEAM_ID))
        except errors.NotFound:
            self.add(
                ERROR,
                f"agents team {team_id} does not exist: nobody can sign in",
                f"{SETUP}, then `python manage.py create_agent --email … --password … --name …` for each agent",
                "E009",
            )
            return
        except errors.Unauthorized as error:
            if error.type != "general_unauthorized_scope":
                raise
            self.add(
                WARNING,
                f"agents team {team_id} not checked: the key lacks teams.read (see above)",
                "add teams.read to the key's scopes",
                "W004",
            )
            return
        except errors.AppwriteError as error:
            self.not_checked(f"agents team {team_id}", error)
            return
        self.add(OK, f"agents team {team_id}")


def examine() -> Report:
    """Runs every check; never raises for anything Appwrite does."""
    try:
        return _Doctor().run()
    except errors.AppwriteError as error:  # an answer no check expected: still a report, not a traceback
        return Report(
            (
                Finding(
                    ERROR,
                    f"the checks stopped: {plain(error)}",
                    "check that Appwrite is up and answering, then run the doctor again",
                    "E010",
                ),
            )
        )


def summary(report: Report) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    passed = sum(finding.level == OK for finding in report.findings)
    if errors:
        return (
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}, {passed} ok: "
            "the dashboard will not work until the errors are fixed."
        )
    if warnings:
        return (
            f"No errors, {warnings} warning{'s' * (warnings != 1)}, {passed} ok: the dashboard works; "
            "the fixes above make it complete or faster."
        )
    return f"All {passed} checks passed."


def header() -> str:
    return (
        f"Checking Appwrite at {_endpoint_shown() or '(no endpoint)'}: project "
        f"{plain(settings.APPWRITE_PROJECT_ID, 80)}, database {plain(settings.APPWRITE_DATABASE_ID, 80)}, "
        f"APPWRITE_API={settings.APPWRITE_API}"
    )


# -- As Django system checks (`manage.py check --tag appwrite`) -----------------------------

_requested: contextvars.ContextVar[bool] = contextvars.ContextVar("appwrite_checks_requested", default=False)


@contextmanager
def checks_requested() -> Iterator[None]:
    """Marks `check --tag appwrite` (dashboard/management/commands/check.py): Django passes no tags to a
    check, and the checks run at every start-up must not ask Appwrite anything."""
    token = _requested.set(True)
    try:
        yield
    finally:
        _requested.reset(token)


def appwrite_system_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The doctor's problems as system checks (hint = the fix); nothing unless asked for by tag."""
    if not _requested.get():
        return []
    messages: list[checks.CheckMessage] = []
    for finding in examine().findings:
        if finding.level == ERROR:
            messages.append(checks.Error(finding.what, hint=finding.fix, id=f"appwrite.{finding.code}"))
        elif finding.level == WARNING:
            messages.append(checks.Warning(finding.what, hint=finding.fix, id=f"appwrite.{finding.code}"))
    return messages
