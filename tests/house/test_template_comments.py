"""Django's `{# … #}` comment ends at its line: one that runs over two lines is page text, and an agent saw a
comment of status_actions.html printed under a session's status. Longer comments are `{% comment %}` blocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

from tests.bad_data.pages import page

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: path.name)
def test_no_template_holds_a_comment_django_would_print(template):
    text = template.read_text()
    printed = [
        f"line {token.lineno}: {token.contents[:60]!r}"
        for token in Lexer(text).tokenize()
        if token.token_type is TokenType.TEXT and "{#" in token.contents
    ]
    assert printed == []


def test_the_session_page_and_the_list_show_no_template_comment(client, rows):
    rows.session("s_plain", row_id="plain", status="active")
    for html in (page(client, "/"), page(client, "/sessions/plain/")):
        assert "{#" not in html and "#}" not in html and "{% comment" not in html
