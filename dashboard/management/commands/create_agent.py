"""`manage.py create_agent`: an Appwrite user who may sign in (a member of the agents team)."""

from django.core.management.base import BaseCommand, CommandError

from dashboard.appwrite import errors, schema


class Command(BaseCommand):
    help = "Creates the Appwrite user if missing and makes it a member of the agents team."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True, help="at least 8 characters")
        parser.add_argument("--name", default="", help="display name (default: the part before @)")

    def handle(self, *args, email: str, password: str, name: str, **options) -> None:
        if len(password) < 8:
            raise CommandError("The password needs at least 8 characters (Appwrite's rule).")
        try:
            steps = schema.ensure_agent(email, password, name or email.split("@")[0])
        except errors.AppwriteError as error:
            raise CommandError(f"Could not create the agent: {error}") from error
        for step in steps:
            self.stdout.write(f"{'created' if step.created else 'exists '}  {step.what}")
