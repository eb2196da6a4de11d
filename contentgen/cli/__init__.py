"""The thin command line: every command is one call on the Python API.

Commands live in small modules loaded only when used, so `contentgen --help` stays fast and never
imports torch. Errors become exit codes here and nowhere else.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
from typing import Any

import click

from contentgen.errors import ContentgenError
from contentgen.unicode_text import surrogate_position

# name -> "module:attribute"; each module stays cheap to import.
COMMANDS: dict[str, str] = {
    "generate": "contentgen.cli.generate:generate",
    "rate": "contentgen.cli.ratings:rate",
    "compare": "contentgen.cli.ratings:compare",
    "show": "contentgen.cli.browse:show",
    "list": "contentgen.cli.browse:list_outputs",
    "stats": "contentgen.cli.browse:stats",
    "export": "contentgen.cli.browse:export",
    "templates": "contentgen.cli.info:templates",
    "generators": "contentgen.cli.info:generators",
    "plugins": "contentgen.cli.info:plugins",
    "db": "contentgen.cli.db:db",
    "demo": "contentgen.cli.demo:demo",
    "batch": "contentgen.cli.batch:batch",
    "jobs": "contentgen.cli.batch:jobs",
    "train": "contentgen.cli.train:train",
    "serve": "contentgen.cli.serve:serve",
    "models": "contentgen.cli.models:models",
    "review": "contentgen.cli.feedback:review",
    "report": "contentgen.cli.feedback:report",
    "tune": "contentgen.cli.feedback:tune",
    "feedback": "contentgen.cli.feedback:feedback",
    "bandit": "contentgen.cli.feedback:bandit",
    "explain": "contentgen.cli.explain:explain",
    "corpus": "contentgen.cli.corpus:corpus",
    "audit": "contentgen.cli.audit:audit",
}

HELP: dict[str, str] = {
    "generate": "Generate for a task: marketing copy, summaries, replies, images, a plugin's task.",
    "rate": "Rate an output: score, thumb, comment or edited final text.",
    "compare": "Record a pairwise preference between two outputs.",
    "show": "Show one output with provenance, evaluations and ratings.",
    "list": "List stored outputs.",
    "stats": "Ratings and rejection counts grouped by template, generator, task or channel.",
    "export": "Export outputs with ratings to CSV or JSONL.",
    "templates": "List the template library.",
    "generators": "List registered generators.",
    "plugins": "List plugins, their versions, generators and errors.",
    "db": "Database commands (upgrade, current).",
    "demo": "Run the main job: ad copy for the example catalogue.",
    "batch": "Generate for every row of a CSV/JSONL/Parquet file (resumable, exactly once).",
    "jobs": "List batch jobs with done/failed/pending counts; `jobs show ID`, `jobs export ID`.",
    "models": "Local model cache: list cached models, convert one for CTranslate2.",
    "serve": "Start the review web app (queue, ratings, comparisons, edits, jobs, report).",
    "train": "Train a class-conditional VAE or GAN (or the metric classifier) on Fashion-MNIST or your images.",
    "review": "Review sheets: `review export` outputs (or pairs) to CSV/XLSX, `review import` the filled sheet.",
    "report": "Feedback report: ratings with 95% intervals, evaluator pass rates, bandit beliefs (--out HTML).",
    "tune": "LoRA fine-tune the text model (SFT or DPO) on ratings; registers a generator version.",
    "feedback": "Feedback loop: `simulate`, `train-reranker`, `export-preferences` (TRL JSONL), `versions`.",
    "bandit": "`bandit show`: the routing bandit's arms and posteriors.",
    "explain": "Why an output: facts per sentence, template, checks, choice, model and seed.",
    "corpus": "Reference corpora for the copying check: `corpus add NAME FILES`, list, check.",
    "audit": "`audit bias`: counterfactual pairs, differences with intervals per generator.",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, HELP.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="Path to contentgen.toml."
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="contentgen")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int) -> None:
    """contentgen: generate business content with your own models, and learn from ratings."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    from contentgen.safety.pii import install_log_redaction

    install_log_redaction()
    ctx.obj = {"config_path": config_path}


def _undecodable(args: list[str]) -> str | None:
    """Describe the first argument that is not valid Unicode text.

    Undecodable argv bytes arrive as surrogates (Python's surrogateescape); a lone surrogate
    cannot be encoded for the database, a file or the terminal either.
    """
    for number, arg in enumerate(args, 1):
        if surrogate_position(arg) is not None:
            return f"argument {number} ({ascii(arg)[:60]}) is not valid UTF-8; pass text as UTF-8"
    return None


def _tolerant_streams() -> None:
    """Never fail on printing: characters the terminal's encoding lacks are escaped, not raised."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            # A closed or detached stream has nothing to print to.
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the console script; turns ContentgenError into exit codes."""
    # Undecodable bytes would otherwise fail deep inside storage or output as UnicodeEncodeError.
    _tolerant_streams()
    problem = _undecodable(sys.argv[1:] if argv is None else argv)
    if problem:
        click.echo(f"error: {problem}", err=True)
        sys.exit(2)
    try:
        return cli.main(args=argv, prog_name="contentgen", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ContentgenError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:  # a file named on the command line cannot be read or written
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"error: {exc.strerror or exc}{where}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
