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
import threading
from pathlib import Path

from localappwrite.launcher import LocalAppwrite, start_localappwrite

ROOT = Path(__file__).resolve().parent.parent


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    # The demo runs on a laptop over plain HTTP.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    # The demo writes hundreds of rows at start and the simulator writes all the time: no line per call.
    os.environ.setdefault("APPWRITE_CALL_LOG_LEVEL", "WARNING")
    port = int(os.environ.get("PORT", "8000"))
    if not _port_is_free(port):
        raise SystemExit(f"Port {port} is in use: stop what runs there or set PORT, e.g. `PORT=8001 make run`.")

    # Ctrl-C goes to every process of the terminal. While the demo starts it is only noted, and acted on
    # between steps (an interrupt inside an import or a seeding thread ends in half a traceback); the
    # children run in process groups of their own, so that the `finally` below stops each with one signal.
    stop_requested = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop_requested.set())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(0))

    def next_step() -> None:
        if stop_requested.is_set():
            raise KeyboardInterrupt

    server: LocalAppwrite | None = None
    simulator: subprocess.Popen | None = None
    try:
        embedded = not os.environ.get("APPWRITE_ENDPOINT")
        if embedded:
            project_id = "demo"
            api_key = "demo_" + secrets.token_hex(24)
            try:
                server = start_localappwrite(faults=False, project_id=project_id, api_key=api_key,
                                             own_process_group=True)
            except RuntimeError as error:
                raise SystemExit(str(error)) from None
            endpoint = server.endpoint
            os.environ.update(APPWRITE_ENDPOINT=endpoint, APPWRITE_PROJECT_ID=project_id, APPWRITE_API_KEY=api_key)
            print(f"localappwrite is serving {endpoint} (data in memory)")
            next_step()

        import django
        from django.core.management import call_command

        django.setup()
        next_step()
        if embedded:
            email = os.environ.get("DEMO_AGENT_EMAIL", "agent@demo.local")
            password = os.environ.get("DEMO_AGENT_PASSWORD") or secrets.token_urlsafe(12)
            call_command("appwrite_setup")
            next_step()
            call_command("seed_demo", if_empty=True)
            next_step()
            call_command("create_agent", email=email, password=password, name="Demo agent")
            next_step()
            command = [sys.executable, str(ROOT / "manage.py"), "simulate_visitors"]
            simulator = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, process_group=0)
            print()
            print(f"  Dashboard:  http://127.0.0.1:{port}/")
            print(f"  Sign in as: {email}")
            print(f"  Password:   {password}")
            print("  A visitor simulator keeps the sessions moving. Ctrl-C stops everything.")
            print()
        else:
            print(f"Serving the dashboard at http://127.0.0.1:{port}/ against {os.environ['APPWRITE_ENDPOINT']}")
        signal.signal(signal.SIGINT, signal.default_int_handler)  # from now on Ctrl-C stops the server at once
        next_step()
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)
    except KeyboardInterrupt:
        pass
    finally:
        # The simulator first, so that it never reports the server it writes to as gone.
        if simulator is not None and simulator.poll() is None:
            simulator.terminate()
            try:
                simulator.wait(timeout=5)
            except subprocess.TimeoutExpired:
                simulator.kill()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
