"""Routes of the dashboard (see CONTRACT.md)."""

from django.urls import path, register_converter

from dashboard import session_views, signin, triage_views, views
from dashboard.appwrite import ids


class RowIdConverter:
    """A row's Appwrite ID (dashboard/appwrite/ids.py)."""

    regex = ids.ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RowIdConverter, "row_id")

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("sessions/<row_id:row_id>/", session_views.session_detail, name="session_detail"),
    path("sessions/<row_id:row_id>/meta/", views.session_meta, name="session_meta"),
    path("sessions/<row_id:row_id>/messages/", session_views.session_messages, name="session_messages"),
    path("sessions/<row_id:row_id>/close/", session_views.close_session, name="close_session"),
    path("sessions/<row_id:row_id>/reopen/", session_views.reopen_session, name="reopen_session"),
    path("sessions/<row_id:row_id>/take/", session_views.take_session, name="take_session"),
    path("sessions/<row_id:row_id>/undo/", session_views.undo_status, name="undo_status"),
    path("login/", signin.login, name="login"),
    path("logout/", signin.logout, name="logout"),
    path("overview/", triage_views.overview, name="overview"),
    path("export.csv", triage_views.export_csv, name="export_csv"),
    path("bulk/close/", triage_views.bulk_close, name="bulk_close"),
    path("bulk/matching/", triage_views.matching_count, name="bulk_matching"),
    path("close-idle/", triage_views.close_idle, name="close_idle"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
