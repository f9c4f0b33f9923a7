"""Production serving: gunicorn with gunicorn.conf.py, DEBUG off, WhiteNoise serving the collected, hashed and
compressed static files, and a graceful stop."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from bench.dashboard_process import free_port
from bench.gunicorn_process import start_gunicorn
from tests.serving.conftest import production_env

ROOT = Path(__file__).resolve().parents[2]
STATIC_LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')
# What ManifestStaticFilesStorage names a file: its name, the first 12 hex digits of its MD5, its extension.
HASHED = re.compile(r"^/static/[\w/.-]+\.[0-9a-f]{12}\.\w+$")


def static_links(served) -> list[str]:
    return STATIC_LINK.findall(requests.get(served.url + "/login/", timeout=10).text)


def test_the_sign_in_page_answers(served):
    answer = requests.get(served.url + "/login/", timeout=10)

    assert answer.status_code == 200
    assert 'name="password"' in answer.text


def test_an_unknown_url_answers_the_plain_404_page_without_a_traceback(served):
    answer = requests.get(served.url + "/no-such-page/", timeout=10)

    assert answer.status_code == 404
    assert "Not Found" in answer.text
    # What DEBUG's technical 404 page would show.
    assert "URLconf" not in answer.text and "Traceback" not in answer.text and "DEBUG" not in answer.text


def test_the_page_links_only_hashed_static_file_names_htmx_included(served):
    links = static_links(served)

    assert any("/django_htmx/htmx-2.min." in link for link in links), links
    assert any("/dashboard/app." in link for link in links), links
    assert all(HASHED.match(link) for link in links), links


def test_a_hashed_static_file_is_cached_for_good_and_sent_gzipped_when_asked(served, static_root):
    link = next(link for link in static_links(served) if "/dashboard/app." in link and link.endswith(".css"))

    answer = requests.get(served.url + link, headers={"Accept-Encoding": "gzip"}, timeout=10)

    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in answer.headers["Cache-Control"]
    assert "immutable" in answer.headers["Cache-Control"]
    assert answer.content == (static_root / link.removeprefix("/static/")).read_bytes()


def test_a_static_file_is_sent_uncompressed_to_a_client_that_does_not_ask(served):
    link = next(link for link in static_links(served) if link.endswith(".css"))

    answer = requests.get(served.url + link, headers={"Accept-Encoding": "identity"}, timeout=10)

    assert answer.status_code == 200
    assert "Content-Encoding" not in answer.headers


def test_stopping_gunicorn_finishes_the_request_in_flight_and_leaves_no_worker_behind(
    appwrite_server, static_root, tmp_path
):
    server = start_gunicorn(production_env(appwrite_server), static_root, tmp_path / "gunicorn.log", workers=2)
    workers = server.workers()
    # Appwrite holds the next request, so the readiness probe is still waiting on it when the stop comes.
    appwrite_server.set_faults("hang", count=1, hang_seconds=3)
    answers: list[requests.Response] = []
    probe = threading.Thread(target=lambda: answers.append(requests.get(server.url + "/readyz", timeout=60)))
    probe.start()
    time.sleep(1)

    exit_code = server.stop()
    probe.join()

    assert len(workers) == 2
    assert exit_code == 0, server.log()[-2000:]
    assert [answer.status_code in (200, 503) for answer in answers] == [True]
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists()] == []


def check_config(env: dict[str, str]) -> subprocess.CompletedProcess:
    """gunicorn reads the config and imports the application, then exits (`--check-config`)."""
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--check-config"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_config_accepts_production_settings_with_collected_static_files(appwrite_server, static_root):
    done = check_config({**production_env(appwrite_server), "DJANGO_STATIC_ROOT": str(static_root)})

    assert done.returncode == 0, done.stderr


WEAK_KEY = "Cannot serve: DJANGO_SECRET_KEY is too weak"


def test_the_config_accepts_the_shortest_secret_key_that_django_calls_strong(appwrite_server, static_root):
    env = {**production_env(appwrite_server), "DJANGO_STATIC_ROOT": str(static_root), "DJANGO_SECRET_KEY": "abcde" * 10}

    done = check_config(env)

    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DJANGO_DEBUG": "1"}, "Cannot serve with DJANGO_DEBUG=1"),
        ({"DJANGO_SECRET_KEY": ""}, "Cannot serve: DJANGO_SECRET_KEY is required"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "Cannot serve: set DJANGO_ALLOWED_HOSTS"),
        ({"APPWRITE_ENDPOINT": ""}, "Cannot serve: set APPWRITE_ENDPOINT"),
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY must be a whole number from 1 to 64"),
        ({"GUNICORN_THREADS": "many"}, "GUNICORN_THREADS must be a whole number from 1 to 256"),
        ({"BIND_ADDRESS": "everywhere"}, "BIND_ADDRESS must be an IP address"),
        # What Django's deploy check (security.W009) calls weak: the key signs every agent's session cookie.
        ({"DJANGO_SECRET_KEY": "x"}, WEAK_KEY),
        ({"DJANGO_SECRET_KEY": "0123456789" * 4 + "abcdefghi"}, WEAK_KEY),  # 49 characters
        ({"DJANGO_SECRET_KEY": "abcd" * 20}, WEAK_KEY),  # 4 different characters
        ({"DJANGO_SECRET_KEY": "django-insecure-" + "0123456789abcdef" * 4}, WEAK_KEY),
    ],
)
def test_the_config_refuses_to_serve_with_a_clear_message(appwrite_server, static_root, change, message):
    done = check_config({**production_env(appwrite_server), "DJANGO_STATIC_ROOT": str(static_root), **change})

    assert done.returncode != 0
    assert message in done.stderr


def test_gunicorn_refuses_to_start_before_collectstatic(appwrite_server, tmp_path):
    env = {**production_env(appwrite_server), "DJANGO_STATIC_ROOT": str(tmp_path / "never-collected")}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{free_port()}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.terminate()  # it is serving: stop it gracefully, workers included
        process.communicate(timeout=30)
        pytest.fail("gunicorn started without collected static files")

    assert process.returncode != 0
    assert "run `manage.py collectstatic --noinput` first" in stderr


@pytest.fixture(scope="module")
def served_behind_https_proxy(appwrite_server, static_root, tmp_path_factory):
    env = {**production_env(appwrite_server), "DJANGO_HTTPS": "1"}
    server = start_gunicorn(env, static_root, tmp_path_factory.mktemp("https") / "gunicorn.log", workers=1)
    yield server
    server.stop()


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_behind_an_https_proxy_the_health_probes_answer_over_plain_http(served_behind_https_proxy, path):
    answer = requests.get(served_behind_https_proxy.url + path, allow_redirects=False, timeout=30)

    assert answer.status_code in (200, 503)  # /readyz: whether Appwrite answers; never a redirect


def test_behind_an_https_proxy_pages_redirect_plain_http_to_https(served_behind_https_proxy):
    answer = requests.get(served_behind_https_proxy.url + "/login/", allow_redirects=False, timeout=10)

    assert answer.status_code == 301
    assert answer.headers["Location"].startswith("https://")


def test_behind_an_https_proxy_a_forwarded_https_request_is_served_with_hsts(served_behind_https_proxy):
    answer = requests.get(served_behind_https_proxy.url + "/login/", headers={"X-Forwarded-Proto": "https"},
                          allow_redirects=False, timeout=10)

    assert answer.status_code == 200
    assert "max-age=31536000" in answer.headers["Strict-Transport-Security"]


def start_without_bind(env: dict[str, str], static_root: Path, port: int) -> subprocess.Popen:
    """gunicorn as `make serve` starts it: the address from the config, no `--bind`."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=ROOT, env={**env, "DJANGO_STATIC_ROOT": str(static_root), "PORT": str(port), "WEB_CONCURRENCY": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def answers_at(host: str, port: int, timeout: float = 60) -> bool:
    """Whether /healthz answers at host:port within `timeout` (the workers may still be starting)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return requests.get(f"http://{host}:{port}/healthz", headers={"Host": "127.0.0.1"}, timeout=5).ok
        except requests.RequestException:
            time.sleep(0.2)
    return False


@pytest.mark.parametrize(
    ("bind_address", "listening", "refused"),
    [(None, "127.0.0.1", "127.0.0.2"), ("127.0.0.2", "127.0.0.2", "127.0.0.1")],
)
def test_gunicorn_listens_on_loopback_only_unless_told_another_address(
    appwrite_server, static_root, bind_address, listening, refused
):
    env = production_env(appwrite_server)
    env.pop("BIND_ADDRESS", None)
    if bind_address:
        env["BIND_ADDRESS"] = bind_address
    port = free_port()
    process = start_without_bind(env, static_root, port)
    try:
        assert answers_at(listening, port)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://{refused}:{port}/healthz", headers={"Host": "127.0.0.1"}, timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=30)
