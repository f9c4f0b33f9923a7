"""Django's `check`, which also runs the Appwrite checks when asked with `--tag appwrite`.

Django passes no tags to a check function, and start-up (`runserver`, plain `check`) must not ask Appwrite
anything: the registered check stays silent unless this command marks the request (dashboard/doctor.py).
"""

from django.core.management.commands import check

from dashboard import doctor


class Command(check.Command):
    def handle(self, *app_labels, **options):
        if doctor.TAG in (options.get("tags") or []):
            with doctor.checks_requested():
                return super().handle(*app_labels, **options)
        return super().handle(*app_labels, **options)
