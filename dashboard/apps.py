from django.apps import AppConfig
from django.core import checks


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Sessions dashboard"

    def ready(self) -> None:
        from dashboard import doctor

        # Tagged, and silent unless `check --tag appwrite` asks: start-up makes no Appwrite call.
        checks.register(doctor.appwrite_system_check, doctor.TAG)
