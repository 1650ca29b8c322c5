"""``scalescope serve``: run the web process (REST API and dashboard) under uvicorn."""

from __future__ import annotations

import argparse
import ctypes
import os

from backend import db
from backend.config import get_settings
from backend.services.auth import check_access_settings, check_bind_address

APP_FACTORY = "app.main:create_app"
#: glibc malloc for the web processes: two arenas (the request threads of a worker share them
#: instead of each arena keeping its own high-water mark) and blocks of 128 KiB or more from
#: mmap (given back to the system when freed, e.g. a large frame): a worker's resident memory
#: follows the requests in flight rather than the largest ones it ever served.
MALLOC_SETTINGS = {"MALLOC_ARENA_MAX": 2, "MALLOC_MMAP_THRESHOLD_": 128 * 1024}
_MALLOPT = {"MALLOC_ARENA_MAX": -8, "MALLOC_MMAP_THRESHOLD_": -3}  # M_ARENA_MAX, M_MMAP_THRESHOLD


def register(subparsers) -> None:
    """Add ``serve``."""
    settings = get_settings()
    parser = subparsers.add_parser("serve", help="serve the dashboard and the REST API")
    add_server_arguments(parser, host=settings.host, port=settings.port)
    parser.set_defaults(func=_serve)


def add_server_arguments(parser: argparse.ArgumentParser, *, host: str, port: int) -> None:
    """The options ``serve`` and ``demo`` share."""
    parser.add_argument("--host", default=host, help=f"interface to listen on (default {host})")
    parser.add_argument("--port", type=int, default=port, help=f"port (default {port})")
    parser.add_argument("--workers", type=int, default=1, help="web processes (default 1)")
    parser.add_argument("--reload", action="store_true", help="restart when code changes")


def run_server(*, database_url: str, host: str, port: int, workers: int, reload: bool) -> int:
    """Check the access mode allows ``host`` and the schema is at head, then run uvicorn on
    the app factory (blocks)."""
    import uvicorn

    settings = get_settings()
    check_access_settings(
        access=settings.access, secret_key=settings.secret_key, data_dir=settings.data_dir
    )
    check_bind_address(access=settings.access, host=host)
    db.check_at_head(db.get_engine(database_url))
    print(f"ScaleScope on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    tune_malloc()
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    return 0


def tune_malloc() -> None:
    """Apply ``MALLOC_SETTINGS`` (unless the environment sets them) to this process through
    ``mallopt`` and, through the environment, to the worker processes uvicorn starts. A no-op
    where the C library is not glibc."""
    for name, value in MALLOC_SETTINGS.items():
        os.environ.setdefault(name, str(value))
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    for name, param in _MALLOPT.items():
        mallopt(ctypes.c_int(param), ctypes.c_int(int(os.environ[name])))


def _serve(args: argparse.Namespace) -> int:
    return run_server(
        database_url=get_settings().database_url,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
    )
