"""``scalescope user …`` and ``scalescope token …``: the admin's account management."""

from __future__ import annotations

import argparse
import getpass
import sys

from backend import db
from backend.services import auth, login_sessions


def register(subparsers) -> None:
    """Add the ``user`` and ``token`` command groups."""
    user = subparsers.add_parser("user", help="add, list and change users")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create a user")
    add.add_argument("username")
    add.add_argument("--role", choices=auth.ROLES, default="viewer")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--no-password", action="store_true", help="API tokens only, no login")
    add.set_defaults(func=_user_add)
    actions.add_parser("list", help="list users").set_defaults(func=_user_list)
    role = actions.add_parser("role", help="change a user's role")
    role.add_argument("username")
    role.add_argument("role", choices=auth.ROLES)
    role.set_defaults(func=_user_role)
    passwd = actions.add_parser("passwd", help="set a user's password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(func=_user_passwd)
    deactivate = actions.add_parser("deactivate", help="stop a user logging in")
    deactivate.add_argument("username")
    deactivate.set_defaults(func=_user_deactivate)
    sessions = actions.add_parser("sessions", help="list live login sessions")
    sessions.add_argument("username", nargs="?")
    sessions.set_defaults(func=_user_sessions)
    logout = actions.add_parser("logout", help="end a user's login sessions (or one by id)")
    logout.add_argument("username")
    logout.add_argument("--session", type=int, dest="session_id", help="only this session")
    logout.set_defaults(func=_user_logout)

    token = subparsers.add_parser("token", help="create, list and revoke API tokens")
    actions = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a token (its secret is shown once)")
    create.add_argument("username")
    create.add_argument("--name", required=True, help="what the token is for, e.g. 'laptop'")
    create.set_defaults(func=_token_create)
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    listing.add_argument("--user")
    listing.set_defaults(func=_token_list)
    revoke = actions.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("token_id", type=int)
    revoke.set_defaults(func=_token_revoke)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("scalescope: the two passwords differ")
    return first


def _user_add(args: argparse.Namespace) -> int:
    password = None if args.no_password else _read_password(args.password_stdin)
    with db.session_scope() as session:
        auth.create_user(session=session, username=args.username, password=password, role=args.role)
    print(f"user {args.username!r} created ({args.role})")
    return 0


def _user_list(_args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        for user in auth.list_users(session=session):
            state = "active" if user.is_active else "deactivated"
            print(f"{user.username}\t{user.role}\t{state}")
    return 0


def _user_role(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        auth.set_role(session=session, username=args.username, role=args.role)
    print(f"user {args.username!r} is now {args.role}")
    return 0


def _user_passwd(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    with db.session_scope() as session:
        auth.set_password(session=session, username=args.username, password=password)
    print(f"password of {args.username!r} changed")
    return 0


def _user_deactivate(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        auth.deactivate_user(session=session, username=args.username)
    print(f"user {args.username!r} deactivated")
    return 0


def _user_sessions(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        for row in login_sessions.list_sessions(session=session, username=args.username):
            seen = row.last_seen_at.isoformat(timespec="seconds") if row.last_seen_at else "-"
            started = row.created_at.isoformat(timespec="seconds")
            print(f"{row.id}\t{row.user.username}\t{started}\t{seen}\t{row.client or '-'}")
    return 0


def _user_logout(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        if args.session_id is not None:
            row = login_sessions.revoke_session(session=session, session_id=args.session_id)
            if row.user.username != args.username:
                raise SystemExit(f"scalescope: session {args.session_id} is not {args.username}'s")
            count = 1
        else:
            count = login_sessions.revoke_user_sessions(session=session, username=args.username)
    print(f"{count} session(s) of {args.username!r} ended")
    return 0


def _token_create(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        token = auth.create_token(session=session, username=args.username, name=args.name)
    print(f"token {token.id} ({token.name}) for {args.username!r}; it is shown only once:")
    print(token.secret)
    return 0


def _token_list(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        for token in auth.list_tokens(session=session, username=args.user):
            used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "-"
            state = "revoked" if token.revoked_at else "live"
            print(
                f"{token.id}\t{token.user.username}\t{token.name}\t{token.prefix}…\t{used}\t{state}"
            )
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    with db.session_scope() as session:
        auth.revoke_token(session=session, token_id=args.token_id)
    print(f"token {args.token_id} revoked")
    return 0
