"""``scalescope names``: merge two names of the same eval set or pretraining data, undo a
merge, list merges, and list the stored names the alias table does not know."""

from __future__ import annotations

import argparse
import json

from backend import db
from backend.catalog.review import unknown_by_kind
from backend.config import get_settings
from backend.services import merges


def _session():
    """A transaction on the configured database (read now, not when first asked)."""
    return db.session_scope(db.get_engine(get_settings().database_url))


def register(subparsers) -> None:
    """Add the ``names`` command group."""
    names = subparsers.add_parser("names", help="canonical names: merge, undo, review")
    actions = names.add_subparsers(dest="names_command", required=True, metavar="ACTION")
    merge = actions.add_parser("merge", help="merge SOURCE into TARGET (undoable)")
    merge.add_argument("kind", choices=merges.KINDS)
    merge.add_argument("source")
    merge.add_argument("target")
    merge.set_defaults(func=_merge)
    undo = actions.add_parser("undo", help="undo a merge by id")
    undo.add_argument("merge_id", type=int)
    undo.set_defaults(func=_undo)
    listing = actions.add_parser("list", help="list merges, newest first")
    listing.set_defaults(func=_list)
    unknown = actions.add_parser("unknown", help="stored names the alias table does not know")
    unknown.set_defaults(func=_unknown)


def _merge(args: argparse.Namespace) -> int:
    with _session() as session:
        record = merges.merge(
            session=session,
            kind=args.kind,
            source=args.source,
            target=args.target,
            created_by="cli",
        )
        print(json.dumps(merges.describe(record)))
    return 0


def _undo(args: argparse.Namespace) -> int:
    with _session() as session:
        print(json.dumps(merges.describe(merges.undo(session=session, merge_id=args.merge_id))))
    return 0


def _list(args: argparse.Namespace) -> int:
    with _session() as session:
        for record in merges.list_merges(session=session):
            print(json.dumps(merges.describe(record)))
    return 0


def _unknown(args: argparse.Namespace) -> int:
    with _session() as session:
        for kind, names in unknown_by_kind(session).items():
            print(f"{kind}: {len(names)}")
            for name in names:
                print(f"  {name}")
    return 0
