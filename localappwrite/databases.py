"""Placeholder: routes of the databases module."""

from .server import App


def init(app: App) -> None:
    pass
