"""The header htmx sends with each of its requests: a test asking for a fragment as the page's scripts do sends it."""

HTMX = {"HX-Request": "true"}
