"""`manage.py appwrite_setup`: creates whatever is missing of the dashboard's schema on any Appwrite."""

from django.core.management.base import BaseCommand, CommandError

from dashboard.appwrite import errors, schema


class Command(BaseCommand):
    help = (
        "Idempotently creates the database, the sessions and messages collections with their "
        "attributes and indexes, and the agents team; reports what it created and what already existed."
    )

    def handle(self, *args, **options) -> None:
        try:
            steps = schema.provision_schema()
        except errors.AppwriteError as error:
            raise CommandError(f"Appwrite setup failed: {error}") from error
        for step in steps:
            if step.created:
                self.stdout.write(self.style.SUCCESS(f"created  {step.what}"))
            else:
                self.stdout.write(f"exists   {step.what}")
        created = sum(step.created for step in steps)
        self.stdout.write(f"{created} created, {len(steps) - created} already existed.")
