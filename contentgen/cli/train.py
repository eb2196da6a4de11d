"""`contentgen train vae|gan|classifier`: a progress bar around training.api.train_model."""

from __future__ import annotations

import json
import shlex
from typing import Any

import click

from contentgen.errors import ValidationError


def _command_line(ctx: click.Context) -> str:
    """The command as a user would retype it, for the model card."""
    words = ["contentgen", "train", ctx.params["kind"]]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if isinstance(param, click.Argument) or value is None or value is False or value == ():
            continue
        flag = max(param.opts, key=len)
        if value is True:
            words.append(flag)
        elif isinstance(value, tuple):
            words += [w for v in value for w in (flag, v)]
        else:
            words += [flag, str(value)]
    return " ".join(shlex.quote(w) for w in words)


def _parse_options(pairs: tuple[str, ...]) -> dict[str, Any] | None:
    if not pairs:
        return None
    parsed: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ValidationError("--model-option", f"expected KEY=VALUE, got {pair!r}")
        try:
            parsed[key] = json.loads(raw)
        except json.JSONDecodeError:
            parsed[key] = raw
    return parsed


@click.command("train")
@click.argument("kind", type=click.Choice(["vae", "gan", "classifier"]))
@click.option(
    "--data",
    default=None,
    help="'fashion-mnist' (default) or a folder with one sub-folder of images per class.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the model, its card and checkpoints.",
)
@click.option(
    "--steps", default=2000, show_default=True, type=int, help="Total optimisation steps."
)
@click.option("--batch-size", type=int, default=None, help="Images per step (default 64).")
@click.option("--seed", type=int, default=None, help="Random seed (default 0).")
@click.option(
    "--checkpoint-every",
    default=500,
    show_default=True,
    type=int,
    help="Steps between checkpoints.",
)
@click.option(
    "--resume", is_flag=True, help="Continue the run saved in --out exactly where it stopped."
)
@click.option("--lr", type=float, default=None, help="Learning rate (default per model kind).")
@click.option("--threads", type=int, default=None, help="Torch CPU threads.")
@click.option("--limit", type=int, default=None, help="Use only the first N training images.")
@click.option(
    "--classifier",
    type=click.Path(file_okay=False),
    default=None,
    help="Classifier checkpoint for FID/conditional accuracy (default: the shipped one).",
)
@click.option(
    "--eval-samples",
    default=10_000,
    show_default=True,
    type=int,
    help="Generated images used for the metrics.",
)
@click.option("--no-eval", is_flag=True, help="Skip measuring metrics after training.")
@click.option(
    "--model-option",
    "model_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="Model setting, e.g. latent_dim=32 (repeatable).",
)
def train(
    kind: str,
    data: str | None,
    out: str,
    steps: int,
    batch_size: int | None,
    seed: int | None,
    checkpoint_every: int,
    resume: bool,
    lr: float | None,
    threads: int | None,
    limit: int | None,
    classifier: str | None,
    eval_samples: int,
    no_eval: bool,
    model_options: tuple[str, ...],
) -> None:
    """Train a class-conditional VAE or GAN (or the metric classifier); save it with a card."""
    from contentgen.training.api import train_model

    with _progress_bar(kind) as bar:
        task = bar.add_task(kind, total=steps, losses="")

        def report(p: Any) -> None:
            text = " ".join(f"{k}={v:.3f}" for k, v in p.losses.items())
            bar.update(task, completed=p.step, total=p.total, losses=text)

        result = train_model(
            kind,
            out,
            data=data,
            steps=steps,
            batch_size=batch_size,
            seed=seed,
            checkpoint_every=checkpoint_every,
            resume=resume,
            lr=lr,
            torch_threads=threads,
            limit=limit,
            classifier=classifier,
            eval_samples=eval_samples,
            evaluate=not no_eval,
            model_config=_parse_options(model_options),
            command=_command_line(click.get_current_context()),
            progress=report,
        )
        bar.update(task, completed=result.steps, total=result.steps)
    click.echo(f"saved {kind} to {result.out} ({result.steps} steps, {result.seconds:.0f} s)")
    for name, value in result.metrics.items():
        if not isinstance(value, dict):
            click.echo(f"  {name}: {value}")


def _progress_bar(kind: str) -> Any:
    """A rich progress bar on stderr: steps done, time, and the latest smoothed losses."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn(f"train {kind}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[losses]}"),
    )
    return Progress(*columns, console=Console(stderr=True), transient=False)
