"""`manage.py appwrite_doctor`: checks the Appwrite side of the dashboard and prints each problem with its fix."""

from django.core.management.base import BaseCommand, CommandError

from dashboard import doctor


class Command(BaseCommand):
    help = (
        "Checks the endpoint, project, API key and its scopes, the database, the sessions and messages "
        "collections (attributes, types, indexes) and the agents team; prints the fix for each problem and "
        "exits non-zero when something the dashboard needs is wrong."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(doctor.header())
        report = doctor.examine()
        for finding in report.findings:
            if finding.level == doctor.ERROR:
                self.stdout.write(self.style.ERROR(f"ERROR    {finding.what}"))
            elif finding.level == doctor.WARNING:
                self.stdout.write(self.style.WARNING(f"WARNING  {finding.what}"))
            elif finding.level == doctor.SKIPPED:
                self.stdout.write(f"skipped  {finding.what}")
            else:
                self.stdout.write(f"ok       {finding.what}")
            if finding.fix:
                self.stdout.write(f"         fix: {finding.fix}")
        self.stdout.write(doctor.summary(report))
        if not report.healthy:
            raise CommandError(f"{len(report.errors)} problem(s) found: see the fixes above.")
