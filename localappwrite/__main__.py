"""`python -m localappwrite --host H --port P --data PATH --project-id ID --api-key KEY [--latency-ms N]
[--scoped-key KEY=SCOPE,…]`."""

import argparse
import logging
import signal
import sys

from .app import build_app
from .server import serve


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="localappwrite", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--data", default=":memory:", help="SQLite file, or :memory:")
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every API answer by N ms")
    parser.add_argument("--enable-faults", action="store_true",
                        help="accept POST /__faults__ to make API answers fail on purpose (tests only)")
    parser.add_argument("--scoped-key", action="append", default=[], metavar="KEY=SCOPE,SCOPE",
                        help="a further API key holding only these scopes (repeatable)")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    scoped_keys = {}
    for spec in args.scoped_key:
        key, _, scopes = spec.partition("=")
        if not key or key == args.api_key:
            parser.error(f"--scoped-key needs KEY=SCOPE,… with a key other than --api-key: {spec!r}")
        scoped_keys[key] = frozenset(scope for scope in scopes.split(",") if scope)
    logging.basicConfig(level=args.log_level.upper(), format="localappwrite %(levelname)s %(message)s")
    app = build_app(args.data, args.project_id, args.api_key, args.latency_ms, args.enable_faults, scoped_keys)
    server = serve(args.host, args.port, app)
    signal.signal(signal.SIGTERM, _stop)
    host, port = server.server_address[:2]
    print(f"localappwrite serving http://{host}:{port}/v1", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.db.close()  # checkpoints the WAL: the file alone then holds every write
    return 0


if __name__ == "__main__":
    sys.exit(main())
