"""Placeholder: routes of the accounts module."""

from .server import App


def init(app: App) -> None:
    pass
