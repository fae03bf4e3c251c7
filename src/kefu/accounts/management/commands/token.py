"""``kefu token create --user NAME``: issue an API bearer token; the token is the last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kefu.accounts.models import ApiToken, User
from kefu.accounts.services import api_token_create, api_token_revoke
from kefu.core.errors import KefuError


class Command(BaseCommand):
    help = "Create, list or revoke API bearer tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for a user")
        create.add_argument("--user", required=True, help="user name")
        create.add_argument("--name", default="", help="what the token is for")
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"no token with prefix {options['prefix']!r}")
            with transaction.atomic():
                api_token_revoke(actor=None, token=token)
            self.stdout.write(f"revoked {token.prefix}")
            return
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user named {options['user']!r}")
        if action == "list":
            for token in ApiToken.objects.filter(user=user).order_by("created_at"):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.prefix}  {state}  {token.name}  created {token.created_at:%Y-%m-%d}"
                )
            return
        try:
            _, key = api_token_create(actor=None, user=user, name=options["name"])
        except KefuError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"API token for {user.username} (shown once; send as Authorization: Bearer <token>):"
        )
        self.stdout.write(key)
