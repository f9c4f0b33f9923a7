"""`make run`: the whole demo in one command.

Without APPWRITE_ENDPOINT it starts localappwrite on loopback, provisions the schema, seeds demo
data, creates the demo agent, starts the visitor simulator and serves the dashboard. With
APPWRITE_ENDPOINT set it only serves the dashboard. Ctrl-C stops everything it started.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _start_localappwrite(project_id: str, api_key: str) -> tuple[subprocess.Popen, str]:
    """Starts localappwrite on a free loopback port; returns the process and its /v1 endpoint."""
    command = [
        sys.executable, "-m", "localappwrite", "--host", "127.0.0.1", "--port", "0",
        "--data", ":memory:", "--project-id", project_id, "--api-key", api_key,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    line = process.stdout.readline() if process.stdout else ""
    if "serving http://" not in line:
        process.kill()
        raise SystemExit(f"localappwrite did not start: {line.strip() or 'no output'}")
    return process, "http://" + line.strip().rsplit("http://", 1)[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    # The demo runs on a laptop over plain HTTP.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    # The demo writes hundreds of rows at start and the simulator writes all the time: no line per call.
    os.environ.setdefault("APPWRITE_CALL_LOG_LEVEL", "WARNING")
    port = int(os.environ.get("PORT", "8000"))
    if not _port_is_free(port):
        raise SystemExit(f"Port {port} is in use: stop what runs there or set PORT, e.g. `PORT=8001 make run`.")

    children: list[subprocess.Popen] = []
    # Ctrl-C and `kill` both end in the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        embedded = not os.environ.get("APPWRITE_ENDPOINT")
        if embedded:
            project_id = "demo"
            api_key = "demo_" + secrets.token_hex(24)
            server, endpoint = _start_localappwrite(project_id, api_key)
            children.append(server)
            os.environ.update(APPWRITE_ENDPOINT=endpoint, APPWRITE_PROJECT_ID=project_id, APPWRITE_API_KEY=api_key)
            print(f"localappwrite is serving {endpoint} (data in memory)")

        import django
        from django.core.management import call_command

        django.setup()
        if embedded:
            email = os.environ.get("DEMO_AGENT_EMAIL", "agent@demo.local")
            password = os.environ.get("DEMO_AGENT_PASSWORD") or secrets.token_urlsafe(12)
            call_command("appwrite_setup")
            call_command("seed_demo", if_empty=True)
            call_command("create_agent", email=email, password=password, name="Demo agent")
            simulator = [sys.executable, str(ROOT / "manage.py"), "simulate_visitors"]
            children.append(subprocess.Popen(simulator, cwd=ROOT, stdout=subprocess.DEVNULL))
            print()
            print(f"  Dashboard:  http://127.0.0.1:{port}/")
            print(f"  Sign in as: {email}")
            print(f"  Password:   {password}")
            print("  A visitor simulator keeps the sessions moving. Ctrl-C stops everything.")
            print()
        else:
            print(f"Serving the dashboard at http://127.0.0.1:{port}/ against {os.environ['APPWRITE_ENDPOINT']}")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)
    except KeyboardInterrupt:
        pass
    finally:
        for child in reversed(children):
            _stop(child)


if __name__ == "__main__":
    main()
