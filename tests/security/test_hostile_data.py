"""Hostile visitor data (seeded through the Appwrite SDK) is only ever shown escaped: in the list, its
live fragment and the session page, no tag, attribute, style or link comes from the data."""

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.urls import NoReverseMatch, reverse

from tests.hostile_fixtures import EVIL_HOST, HUGE, PWN, RLO
from tests.htmx import HTMX


def _detail_route_exists() -> bool:
    try:
        reverse("session_detail", args=["x"])
    except NoReverseMatch:
        return False
    return True


# The session page comes with its own issue; until its route exists this case is reported as an
# expected failure (visible in the summary), and from then on it runs like the others.
DETAIL_PENDING = pytest.mark.xfail(
    not _detail_route_exists(), reason="no session_detail route yet (the session page's issue)", strict=True
)

PAGES = [
    pytest.param("/", {}, id="list"),
    pytest.param("/", HTMX, id="list-fragment"),
    pytest.param("/?" + urlencode({"status": f"<b onmouseover={PWN}>active</b>"}), {}, id="list-hostile-status"),
    pytest.param("/sessions/hostile_1/meta/", HTMX, id="list-metadata"),
    pytest.param("/sessions/hostile_1/", {}, id="detail", marks=DETAIL_PENDING),
    pytest.param("/sessions/hostile_2/", {}, id="detail-broken-json", marks=DETAIL_PENDING),
]


class Markup(HTMLParser):
    """Every tag and attribute of a page, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.in_script_or_style = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Markup:
    markup = Markup()
    markup.feed(html)
    return markup


def render(client, url, headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("url, headers", PAGES)
def test_no_tag_or_attribute_comes_from_visitor_data(client, hostile_rows, url, headers):
    markup = parse(render(client, url, headers))

    for tag, attrs in markup.tags:
        assert tag not in ("style", "iframe", "object", "embed", "base"), tag
        assert tag != "script" or attrs.get("src", "").startswith("/static/"), attrs
        assert tag != "img" or attrs.get("src", "").startswith(("/static/", "data:")), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert name != "style", (tag, value)
            if name in ("href", "src", "action", "hx-get", "hx-post", "formaction", "poster", "xlink:href"):
                assert value.startswith(("/", "?", "#")) and not value.startswith("//"), (tag, name, value)
            if name == "fill":
                assert EVIL_HOST not in value and ";" not in value and "(" not in value.replace("rgb(", ""), value


@pytest.mark.parametrize("url, headers", PAGES)
def test_visitor_text_appears_only_escaped(client, hostile_rows, url, headers):
    html = render(client, url, headers)

    assert f"<script>{PWN}" not in html
    assert "<img src=x" not in html and "<svg onload" not in html and "<b onmouseover" not in html
    assert "<i onmouseover" not in html and "</style><script>" not in html
    assert f"&lt;script&gt;{PWN}" in html or f"&lt;img src=x onerror={PWN}&gt;" in html
    assert f"javascript:{PWN}" not in [attrs.get("href") for _, attrs in parse(html).tags]


@pytest.mark.parametrize("url, headers", PAGES)
def test_template_syntax_in_visitor_data_is_shown_not_run(client, hostile_rows, url, headers):
    html = render(client, url, headers)

    # Only where the page shows that field at all: then literally, never evaluated.
    if "{% debug %}" in html or "{{ request }}" in html:
        assert "{{ request }}{% debug %}" in html
    assert "&lt;WSGIRequest" not in html and "<WSGIRequest" not in html


def test_only_a_colour_that_passes_the_grammar_reaches_the_swatch(client, hostile_rows):
    markup = parse(render(client, "/", {}))

    fills = [attrs["fill"] for tag, attrs in markup.tags if "fill" in attrs]
    assert fills == ["#0f766e"]


@pytest.mark.parametrize("url, headers", PAGES)
def test_nothing_of_the_theme_reaches_a_style(client, hostile_rows, url, headers):
    html = render(client, url, headers)

    assert "style=" not in html and "<style" not in html
    assert f"url(http://{EVIL_HOST}" not in [
        value for _, attrs in parse(html).tags for name, value in attrs.items() if name in ("fill", "stroke", "color")
    ]


@pytest.mark.parametrize(
    "url, headers",
    [
        pytest.param("/sessions/hostile_1/meta/", HTMX, id="list-metadata"),
        pytest.param("/sessions/hostile_1/", {}, id="detail", marks=DETAIL_PENDING),
    ],
)
def test_a_huge_value_can_still_be_seen_whole(client, hostile_rows, url, headers):
    html = render(client, url, headers)

    assert HUGE in html


def test_broken_json_is_shown_as_escaped_text(client, hostile_rows):
    html = render(client, "/sessions/hostile_2/meta/", HTMX)

    assert f"{{&quot;browser&quot;: &quot;&lt;img src=x onerror={PWN}&gt;&quot;, " in html


def test_json_is_pretty_printed_and_escaped_in_the_lists_metadata(client, hostile_rows):
    html = render(client, "/sessions/hostile_1/meta/", HTMX)

    assert '"&lt;b&gt;key&lt;/b&gt;": [' in html.replace("&quot;", '"')
    assert "\n  " in "".join(t for t in parse(html).text if "&lt;" not in t)


@pytest.mark.parametrize("url, headers", PAGES)
def test_a_right_to_left_override_stays_inside_its_own_element(client, hostile_rows, url, headers):
    markup = parse(render(client, url, headers))

    # Every text node holding the override belongs to a single value; the CSS isolates those
    # elements (`unicode-bidi: isolate`), checked in Chromium by test_hostile_data_in_chromium.
    for text in markup.text:
        if RLO in text:
            assert len(text.strip()) < 4000
