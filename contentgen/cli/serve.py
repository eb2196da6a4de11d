"""`contentgen serve`: the review web app on localhost (a token is required to listen beyond it)."""

from __future__ import annotations

import os

import click

from contentgen.cli._common import engine_from
from contentgen.errors import ConfigError


def check_bind(host: str, token: str | None, reviewers: bool = False) -> None:
    """Listening on anything but loopback needs an access token (shared or personal)."""
    from contentgen.web.security import TOKEN_ENV, is_loopback

    if not is_loopback(host) and not token and not reviewers:
        raise ConfigError(
            f"refusing to serve on {host}: anyone on the network could read and rate outputs. "
            f"Set {TOKEN_ENV} to a long random token (and sign in with it), or use --host 127.0.0.1"
        )


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; anything but loopback needs $CONTENTGEN_WEB_TOKEN.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--page-size",
    default=25,
    show_default=True,
    type=click.IntRange(1, 200),
    help="Outputs per queue page.",
)
@click.option(
    "--https-only", is_flag=True, help="Mark the session cookie Secure (behind a TLS proxy)."
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, page_size: int, https_only: bool) -> None:
    """Start the review web app: queue, ratings, comparisons, edits, jobs, report and JSON API."""
    from contentgen.web.identity import reviewers_from_env
    from contentgen.web.security import SECRET_ENV, TOKEN_ENV

    token = os.environ.get(TOKEN_ENV) or None
    reviewers = reviewers_from_env()
    check_bind(host, token, bool(reviewers))
    import uvicorn

    from contentgen.web.app import create_app

    engine = engine_from(ctx)
    app = create_app(
        engine,
        token=token,
        secret_key=os.environ.get(SECRET_ENV) or None,
        page_size=page_size,
        https_only=https_only,
        reviewers=reviewers,
    )
    shown = f"[{host}]" if ":" in host else host
    mode = "token required" if token or reviewers else "local only"
    if reviewers:
        mode += f"; {len(reviewers)} reviewer(s) sign in with personal tokens"
    click.echo(f"contentgen review on http://{shown}:{port}/ ({mode}); Ctrl+C stops")
    uvicorn.run(
        app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False
    )
