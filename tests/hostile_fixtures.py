"""Hostile visitor data for the security tests: sessions and messages, written through the Appwrite SDK,
carrying script tags, event-handler attributes, `javascript:` URLs, template syntax, CSS injections in
`theme`, broken JSON, huge values and right-to-left overrides."""

from datetime import timedelta

import pytest
from django.utils import timezone

# Markers that mean "this ran" when seen in a browser, and addresses that must never be requested.
EVIL_HOST = "evil.invalid"
PWN = "window.__pwned=1"
HUGE = "H" * 3000 + "-end-of-huge-value"
RLO = "\u202e"

HOSTILE_META = (
    "{"
    f'"browser": "<script>{PWN}</script>",'
    f'"device": "\\"><img src=x onerror=\\"{PWN}\\">",'
    f'"location": "{{{{ request }}}}{{% debug %}}<svg onload={PWN}>",'
    f'"url": "javascript:{PWN}",'
    f'"page": "http://{EVIL_HOST}/page",'
    f'"avatar": "<img src=http://{EVIL_HOST}/pixel.png>",'
    f'"referrer": "{RLO}gpj.exe",'
    f'"huge": "{HUGE}",'
    f'"nested": {{"<b>key</b>": ["<i onmouseover={PWN}>x</i>", {{"deep": "\'; {PWN}; //"}}]}}'
    "}"
)
HOSTILE_THEME = (
    "{"
    f'"primaryColor": "red;background:url(http://{EVIL_HOST}/bg.png)",'
    f'"backgroundColor": "\\" onload=\\"{PWN}",'
    f'"textColor": "expression(alert(1))",'
    f'"fontFamily": "</style><script>{PWN}</script>",'
    f'"customCss": "body{{background:url(http://{EVIL_HOST}/css.png)}}"'
    "}"
)


@pytest.fixture
def hostile_rows(rows):
    """Sessions and messages as a hostile visitor could make the chat widget store them."""
    now = timezone.now()
    rows.session(
        f"<script>{PWN}</script>{RLO}s_1",
        row_id="hostile_1",
        status=f"<b onmouseover={PWN}>active</b>",
        startTime=now - timedelta(minutes=5),
        lastSeen=now - timedelta(minutes=1),
        userMeta=HOSTILE_META,
        theme=HOSTILE_THEME,
    )
    rows.session(
        "s_broken_json",
        row_id="hostile_2",
        status="active",
        lastSeen=now - timedelta(minutes=2),
        userMeta=f'{{"browser": "<img src=x onerror={PWN}>", ',
        theme=f'{{"primaryColor": "url(http://{EVIL_HOST}/x)"',
    )
    rows.session(
        "s_theme_ok",
        row_id="hostile_3",
        status="active",
        lastSeen=now - timedelta(minutes=3),
        userMeta='{"browser": "Firefox"}',
        theme='{"primaryColor": "#0f766e"}',
    )
    for content, role in [
        (f"<script>{PWN}</script>", "user"),
        (f'<a href="javascript:{PWN}">click me</a> http://{EVIL_HOST}/link', "user"),
        ("{{ settings.APPWRITE_API_KEY }} {% now 'Y' %}", "assistant"),
        (HUGE, "user"),
        (f"{RLO}txt.exe", "user"),
    ]:
        rows.tables.create_row(
            rows.database_id, "messages", _unique(), {"sessionId": f"<script>{PWN}</script>{RLO}s_1", "role": role,
                                                       "content": content}
        )  # fmt: skip
    rows.tables.create_row(
        rows.database_id, "messages", _unique(), {"sessionId": "s_broken_json", "role": "\"><img src=x onerror=x>",
                                                   "content": "hello"}
    )  # fmt: skip
    return rows


def _unique() -> str:
    from appwrite.id import ID

    return ID.unique()
