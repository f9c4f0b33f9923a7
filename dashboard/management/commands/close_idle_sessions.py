"""`manage.py close_idle_sessions --idle-minutes N [--dry-run] [--status S]`: closes the sessions of a
status (active by default) not seen for more than N minutes, for cron. Prints each session and a
summary; exits with 1 when any close failed or Appwrite could not be reached."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboard.appwrite import bulk, errors, queries


class Command(BaseCommand):
    help = "Closes sessions not seen for more than --idle-minutes (of --status, default active)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--idle-minutes", type=int, required=True, help="idle for more than this many minutes")
        parser.add_argument("--status", default="active", help="the status of the sessions to close (default active)")
        parser.add_argument("--dry-run", action="store_true", help="only list what would be closed")

    def handle(self, *args, idle_minutes: int, status: str, dry_run: bool, **options) -> None:
        if idle_minutes < 1:
            raise CommandError("--idle-minutes must be at least 1")
        selection = queries.Selection(status=status, idle_minutes=idle_minutes, created_before=timezone.now())
        try:
            if dry_run:
                self._preview(selection)
            else:
                self._close(selection)
        except errors.AppwriteError as error:
            raise CommandError(f"Appwrite is unreachable or refused: {error}") from error

    def _preview(self, selection: queries.Selection) -> None:
        count = 0
        for page in bulk.iter_selection(selection, bulk.WALK_PAGE_SIZE):
            for session in page:
                count += 1
                self.stdout.write(
                    f"would close {session.session_id or '(no session ID)'} (row {session.row_id}), "
                    f"last seen {session.last_seen.isoformat() if session.last_seen else 'never'}"
                )
        self.stdout.write(f"Dry run: {count} session{'s' if count != 1 else ''} would be closed; nothing was changed.")

    def _close(self, selection: queries.Selection) -> None:
        closed = already = failed = 0
        after = None
        while True:
            batch = bulk.close_selection_batch(selection, after, bulk.WALK_PAGE_SIZE)
            for outcome in batch.outcomes:
                name = outcome.session_id or "(no session ID)"
                if outcome.result == "closed":
                    closed += 1
                    self.stdout.write(f"closed {name} (row {outcome.row_id})")
                elif outcome.result == "already_closed":
                    already += 1
                    self.stdout.write(f"already closed {name} (row {outcome.row_id})")
                else:
                    failed += 1
                    self.stdout.write(f"FAILED {name} (row {outcome.row_id}): {outcome.reason}")
            after = batch.last_row_id
            if batch.done:
                break
        self.stdout.write(f"Closed {closed}, already closed {already}, failed {failed}.")
        if failed:
            raise CommandError(f"{failed} session{' could' if failed == 1 else 's could'} not be closed", returncode=1)
