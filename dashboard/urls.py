"""Routes of the dashboard (see CONTRACT.md)."""

from django.urls import path, register_converter

from dashboard import views


class RowIdConverter:
    """Appwrite IDs: up to 36 of a-z, A-Z, 0-9, period, hyphen, underscore; no special char first."""

    regex = "[A-Za-z0-9][A-Za-z0-9._-]{0,35}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RowIdConverter, "row_id")

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("sessions/<row_id:row_id>/close/", views.close_session, name="close_session"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
