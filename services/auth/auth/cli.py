"""`tt-admin`: operator commands on the auth database (settings from `TT_` variables).

Each command runs the same service functions as the HTTP API in one transaction of its own,
so events reach the outbox (the running service's relay publishes them). Tokens are printed
alone on stdout, for scripts; everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from auth.models import outbox
from auth.settings import AuthSettings, AuthToolSettings
from auth.tokens.rules import ADMIN_LOGIN_SCOPES
from auth.tokens.schemas import ApiTokenCreate
from auth.tokens.service import create_api_token, delete_api_token, issue_token, list_api_tokens
from auth.users import repository as users
from auth.users.rules import clean_new_user
from auth.users.service import ensure_admin, register_user
from shared.config_errors import load_settings
from shared.db import create_db_engine, new_sessionmaker
from shared.errors import ApiError
from shared.events.outbox import session_info
from shared.identity import Identity

OPERATOR = Identity(user_id=None, service="tt-admin")


class UsageError(Exception):
    pass


def bootstrap(session: Session, args: argparse.Namespace, settings: AuthSettings) -> str | None:
    if not settings.admin_username or settings.admin_password is None:
        raise UsageError("TT_ADMIN_USERNAME and TT_ADMIN_PASSWORD must be set")
    user, created = ensure_admin(
        session, settings.admin_username, settings.admin_password.get_secret_value(), actor=OPERATOR
    )
    _note(f"admin user '{user.username}' {'created' if created else 'already exists'}")
    if not args.print_token:
        return None
    if not user.is_admin or not user.is_active:
        raise UsageError(f"user '{user.username}' exists but is not an active admin; no token minted")
    _, plain = issue_token(
        session,
        user=user,
        name=f"Bootstrap - {user.username}",
        description="Minted by tt-admin bootstrap",
        scopes=ADMIN_LOGIN_SCOPES,
        expires_days=settings.login_token_expiry_days,
        actor=OPERATOR,
    )
    return plain


def create_user(session: Session, args: argparse.Namespace, settings: AuthSettings) -> str:
    role = "admin" if args.admin else args.role
    values = {"username": args.username, "password": args.password, "role": role, "email": args.email,
              "full_name": args.full_name}  # fmt: skip
    user = register_user(session, clean_new_user(values), actor=OPERATOR)
    _note(f"created user '{user.username}' (id {user.id}, role {user.role})")
    return str(user.id)


def create_token(session: Session, args: argparse.Namespace, settings: AuthSettings) -> str:
    user = users.get_by_username(session, args.user.strip().lower())
    if user is None:
        raise UsageError(f"no user named '{args.user}'")
    body = ApiTokenCreate(
        name=args.name or f"CLI token - {user.username}",
        user_id=user.id,
        scopes=args.scopes,
        description=args.description,
        expires_days=args.expires_days,
    )
    return create_api_token(session, body, actor=OPERATOR)["token"]


def list_tokens(session: Session, args: argparse.Namespace, settings: AuthSettings) -> str:
    rows = list_api_tokens(session, actor=OPERATOR)["tokens"]
    lines = [f"{'ID':>5}  {'PREFIX':8}  {'USER':20}  {'ACTIVE':6}  {'EXPIRES':20}  {'SCOPES':30}  NAME"]
    for t in rows:
        lines.append(
            f"{t['id']:>5}  {t['token_prefix']:8}  {t['username'] or '':20}  {'yes' if t['is_active'] else 'no':6}  "
            f"{t['expires_at'] or 'never':20}  {','.join(t['scopes']):30}  {t['name']}"
        )
    return "\n".join(lines)


def revoke_token(session: Session, args: argparse.Namespace, settings: AuthSettings) -> None:
    delete_api_token(session, args.token_id, actor=OPERATOR)
    _note(f"token {args.token_id} revoked")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tt-admin", description="TimeTracker auth operator commands")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("bootstrap", help="create the TT_ADMIN_USERNAME admin if missing")
    p.add_argument("--print-token", action="store_true", help="also mint and print an admin:all token")
    p.set_defaults(handler=bootstrap)

    p = sub.add_parser("create-user", help="create a user; prints its id")
    p.add_argument("username")
    p.add_argument("--password", required=True)
    p.add_argument("--admin", action="store_true", help="same as --role admin")
    p.add_argument("--role", default="user", choices=["admin", "manager", "user", "viewer", "subcontractor"])
    p.add_argument("--email")
    p.add_argument("--full-name")
    p.set_defaults(handler=create_user)

    p = sub.add_parser("create-token", help="mint a token for a user; prints only the token")
    p.add_argument("--user", required=True, help="username")
    p.add_argument("--scopes", required=True, help='comma list, e.g. "read:*,write:*"')
    p.add_argument("--name")
    p.add_argument("--description", default="")
    p.add_argument("--expires-days", type=int, default=None, help="lifetime in days (default: never expires)")
    p.set_defaults(handler=create_token)

    p = sub.add_parser("list-tokens", help="list every API token (never the secret)")
    p.set_defaults(handler=list_tokens)

    p = sub.add_parser("revoke-token", help="revoke (delete) a token by id")
    p.add_argument("token_id", type=int)
    p.set_defaults(handler=revoke_token)
    return parser


def _note(message: str) -> None:
    print(message, file=sys.stderr)


def _describe(exc: ApiError) -> str:
    errors = exc.extra.get("errors") or {}
    details = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in errors.items())
    return f"{exc.message}" + (f" ({details})" if details and details not in exc.message else "")


def run(handler: Callable, args: argparse.Namespace, settings: AuthSettings) -> str | None:
    engine = create_db_engine(settings.database, pool_size=1)
    sessions = new_sessionmaker(engine)
    sessions.configure(info=session_info(outbox))
    try:
        with sessions() as session, session.begin():
            return handler(session, args, settings)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        output = run(args.handler, args, load_settings(AuthToolSettings))
    except UsageError as exc:
        _note(f"tt-admin: {exc}")
        return 2
    except ApiError as exc:
        _note(f"tt-admin: {_describe(exc)}")
        return 1
    except SQLAlchemyError as exc:
        _note(f"tt-admin: database error: {exc.__class__.__name__}: {exc}")
        return 1
    if output:
        print(output, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
