"""Who reviews: personal access tokens, one per reviewer, from the environment.

`CONTENTGEN_WEB_REVIEWERS` lists `name=token` pairs, separated by commas or new lines:

    CONTENTGEN_WEB_REVIEWERS="ana=<24+ random characters>,ben=<another token>"

Signing in with a personal token (login form, or `Authorization: Bearer`) makes the session that
reviewer: every rating, status change and assignment is recorded under the name, and the name
cannot be changed in that session. The shared `CONTENTGEN_WEB_TOKEN` still works, with a
self-chosen pseudonym; the names of token holders are reserved, so nobody with the shared token
can rate as them. Tokens are secrets: they live in the environment only, like the shared one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping

from contentgen.errors import ConfigError

REVIEWERS_ENV = "CONTENTGEN_WEB_REVIEWERS"
MIN_TOKEN_CHARS = 16
_NAME = re.compile(r"^[\w .@-]{1,64}$")


def parse_reviewers(text: str) -> dict[str, str]:
    """{name: token} from `name=token` pairs separated by commas or new lines."""
    found: dict[str, str] = {}
    for entry in (e.strip() for e in re.split(r"[,\n]", text)):
        if not entry:
            continue
        name, sep, token = entry.partition("=")
        name, token = " ".join(name.split()), token.strip()
        if not sep or not _NAME.match(name):
            raise ConfigError(
                f"{REVIEWERS_ENV}: each entry is name=token, the name 1 to 64 letters, digits, "
                f"spaces or . _ @ - (got {name or entry[:20]!r})"
            )
        if len(token) < MIN_TOKEN_CHARS:
            raise ConfigError(
                f"{REVIEWERS_ENV}: the token of {name!r} must be at least {MIN_TOKEN_CHARS} "
                "characters; create one with python -c 'import secrets; "
                "print(secrets.token_urlsafe(24))'"
            )
        if name in found:
            raise ConfigError(f"{REVIEWERS_ENV}: {name!r} is listed twice")
        if token in found.values():
            raise ConfigError(f"{REVIEWERS_ENV}: two reviewers share a token; give each their own")
        found[name] = token
    return found


def reviewers_from_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The reviewers configured in the environment (empty when the variable is unset)."""
    return parse_reviewers((environ if environ is not None else os.environ).get(REVIEWERS_ENV, ""))


def fingerprint(secret_key: str, name: str, token: str) -> str:
    """What a reviewer's session stores: a new token or session key signs the reviewer out."""
    return hashlib.sha256(f"{secret_key}:reviewer:{name}:{token}".encode()).hexdigest()[:32]


def match(reviewers: Mapping[str, str], candidate: str) -> str | None:
    """The reviewer whose token `candidate` is (every token compared, in constant time each)."""
    found = None
    sent = candidate.strip().encode()
    for name, token in reviewers.items():
        if hmac.compare_digest(sent, token.encode()):
            found = name
    return found
