"""``scalescope share list`` / ``share revoke``: the admin's view of share links."""

from __future__ import annotations

import argparse

from backend import db
from backend.services import shares


def register(subparsers) -> None:
    """Add the ``share`` command group."""
    share = subparsers.add_parser("share", help="list and revoke share links")
    actions = share.add_subparsers(dest="share_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list share links (revoked ones marked)")
    listing.add_argument("--user", help="only the links this user created")
    listing.set_defaults(func=_share_list)
    revoke = actions.add_parser("revoke", help="revoke a share link by id (or /s/<id> URL)")
    revoke.add_argument("share_id")
    revoke.set_defaults(func=_share_revoke)


def _share_list(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        for view in shares.list_shares(session=session, created_by=args.user):
            state = "revoked" if view.revoked_at else "live"
            kind = "pinned" if view.snapshot is not None else "view"
            when = view.created_at.isoformat(timespec="seconds")
            print(f"{view.id}\t{view.page}\t{kind}\t{view.created_by or '-'}\t{when}\t{state}")
    return 0


def _share_revoke(args: argparse.Namespace) -> int:
    share_id = args.share_id.rstrip("/").rsplit("/s/", 1)[-1]
    with db.session_scope() as session:
        shares.revoke_share(session=session, share_id=share_id)
    print(f"share link {share_id} revoked")
    return 0
