"""``scalescope jobs …``: submit, list, show, cancel and retry evaluation jobs, and sweep for
lost ones."""

from __future__ import annotations

import argparse
import json

from backend import db
from backend.queries import jobs as job_queries
from backend.schemas.job_status import JobStatus
from backend.services import job_lifecycle, jobs


def register(subparsers) -> None:
    """Add the ``jobs`` command group."""
    parser = subparsers.add_parser("jobs", help="evaluation jobs: submit, list, show, ...")
    actions = parser.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    submit = actions.add_parser("submit", help="queue checkpoint(s) × eval set(s)")
    submit.add_argument("--checkpoint", type=int, action="append", default=[], metavar="ID")
    submit.add_argument("--eval-set", type=int, action="append", default=[], metavar="ID")
    submit.add_argument(
        "--missing", action="store_true", help="only the coverage grid's holes (ids optional)"
    )
    submit.add_argument("--options", default="{}", help='run options as JSON ({"batch_size": 32})')
    submit.set_defaults(func=_submit)
    listing = actions.add_parser("list", help="list jobs, newest first")
    listing.add_argument("--status", action="append", choices=[s.value for s in JobStatus])
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(func=_list)
    show = actions.add_parser("show", help="one job with its log tail")
    show.add_argument("job_id", type=int)
    show.set_defaults(func=_show)
    cancel = actions.add_parser("cancel", help="cancel a queued or running job")
    cancel.add_argument("job_id", type=int)
    cancel.set_defaults(func=_cancel)
    retry = actions.add_parser("retry", help="queue a failed or cancelled job again")
    retry.add_argument("job_id", type=int)
    retry.set_defaults(func=_retry)
    recover = actions.add_parser("recover", help="requeue or fail jobs whose worker went silent")
    recover.add_argument(
        "--redispatch",
        action="store_true",
        help="also hand every queued job to the queue again (after the broker lost messages)",
    )
    recover.set_defaults(func=_recover)


def _line(job) -> str:
    target = f"{job.model_name}@{job.revision} × {job.eval_set_name}"
    return (
        f"{job.id:>6}  {job.status:<10} {job.progress * 100:5.1f}%  {target}  "
        f"{job.error or job.message or ''}"
    )


def _submit(args: argparse.Namespace) -> int:
    options = json.loads(args.options)
    with db.session_scope() as session:
        if args.missing:
            submitted = jobs.submit_missing(
                session=session,
                checkpoint_ids=args.checkpoint or None,
                eval_set_ids=args.eval_set or None,
                options=options,
                created_by="cli",
            )
        else:
            submitted = jobs.submit(
                session=session,
                checkpoint_ids=args.checkpoint,
                eval_set_ids=args.eval_set,
                options=options,
                created_by="cli",
            )
        shown = job_queries.describe(session=session, jobs=[s.job for s in submitted])
        for job, s in zip(shown, submitted, strict=True):
            print(("queued  " if s.created else "pending ") + _line(job))
    if not submitted:
        print("nothing to launch")
    return 0


def _list(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        for job in job_queries.job_list(session=session, statuses=args.status, limit=args.limit):
            print(_line(job))
    return 0


def _show(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        job = job_queries.job_detail(session=session, job_id=args.job_id)
    print(_line(job))
    print(f"worker: {job.worker or '-'}  attempts: {job.attempts}  created: {job.created_at}")
    if job.result:
        print("result:", json.dumps(job.result.get("metrics", job.result)))
    if job.log_tail:
        print(job.log_tail)
    return 0


def _cancel(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        job = job_lifecycle.cancel(session=session, job_id=args.job_id)
        print(
            f"job {job.id}: {job.status}" + (" (stop requested)" if job.status == "running" else "")
        )
    return 0


def _retry(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        job = job_lifecycle.retry(session=session, job_id=args.job_id)
        print(f"job {job.id}: {job.status}")
    return 0


def _recover(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        outcome = job_lifecycle.recover_lost_jobs(session=session)
        redispatched = job_lifecycle.redispatch_queued(session=session) if args.redispatch else []
    for job_id, status in outcome.items():
        print(f"job {job_id}: {status}")
    if not outcome:
        print("no lost jobs")
    if redispatched:
        print(f"handed {len(redispatched)} queued job(s) to the queue again")
    return 0
