"""Who may see the dashboard. Every view goes through `agent_required`; until agents sign in
(the next issue) it lets every request through, so adding sign-in changes only this module."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def agent_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return view(request, *args, **kwargs)

    return wrapper
