"""``scalescope worker``: run evaluation jobs. With a broker configured it starts a Celery
worker on the job queue (one pool process per GPU, one task at a time each); with ``--local``
(or no broker) it runs queued jobs straight from the database with the local executor."""

from __future__ import annotations

import argparse
import shutil
import subprocess

from backend.config import get_settings


def register(subparsers) -> None:
    """Add ``worker``."""
    parser = subparsers.add_parser("worker", help="run evaluation jobs (Celery or --local)")
    parser.add_argument(
        "--local", action="store_true", help="no broker: take queued jobs from the database"
    )
    parser.add_argument(
        "--concurrency", type=int, default=None, help="jobs at once (default: one per GPU, >= 1)"
    )
    parser.add_argument("--queues", default=None, help="Celery queues (default: settings)")
    parser.add_argument("--hostname", default=None, help="Celery node name")
    parser.add_argument("--loglevel", default="INFO")
    parser.set_defaults(func=_worker)


def gpu_count() -> int:
    """GPUs that ``nvidia-smi`` lists (0 without one); torch is not imported for this."""
    if shutil.which("nvidia-smi") is None:
        return 0
    try:
        listed = subprocess.run(
            ["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in listed.splitlines() if line.startswith("GPU "))


def _worker(args: argparse.Namespace) -> int:
    import logging
    import os

    settings = get_settings()
    gpus = gpu_count()
    concurrency = args.concurrency or max(1, gpus)
    logging.basicConfig(level=args.loglevel.upper(), format="%(asctime)s %(name)s: %(message)s")
    if args.local or not settings.broker_url:
        from backend.worker.local_executor import LocalExecutor

        if not args.local:
            print("scalescope worker: no broker configured; running jobs locally")
        LocalExecutor(
            database_url=settings.database_url, workers=concurrency, poll_interval=1.0
        ).run_forever()
        return 0
    if gpus > 1 and settings.cuda_visible_devices is None:
        os.environ["SCALESCOPE_WORKER_GPUS"] = ",".join(str(i) for i in range(gpus))
        get_settings.cache_clear()  # the pool processes (forked) read it through the settings
    from backend.worker.celery_app import app

    argv = [
        "worker",
        f"--queues={args.queues or settings.job_queue}",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        "--prefetch-multiplier=1",
        f"--loglevel={args.loglevel}",
        "--without-gossip",
        "--without-mingle",
    ]
    if args.hostname:
        argv.append(f"--hostname={args.hostname}")
    app.worker_main(argv)
    return 0
