"""The ``scalescope`` command line.

Each subcommand group lives in its own module of this package and exposes
``register(subparsers)``, which adds its parsers and sets ``func`` (called with the parsed
arguments; returns an exit code). ``main`` turns domain errors into one clear line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from backend.exceptions import ScaleScopeError

# One module per group of subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = [
    "db",
    "users",
    "shares",
    "serve",
    "demo",
    "uploads",
    "names",
    "jobs",
    "worker",
    "corpus",
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="scalescope",
        description="ScaleScope: scaling and generalization results, fits and plots.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"backend.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; domain errors become a one-line message and exit code 1."""
    from backend.worker.queues import install_job_queue

    try:
        parser = build_parser()  # some defaults come from the settings
    except ScaleScopeError as exc:  # a bad setting
        print(f"scalescope: error: {exc}", file=sys.stderr)
        return 1
    args = parser.parse_args(argv)
    try:
        install_job_queue()  # commands that queue jobs hand them to the configured queue
        return int(args.func(args) or 0)
    except ScaleScopeError as exc:
        print(f"scalescope {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
