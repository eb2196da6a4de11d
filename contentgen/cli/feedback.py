"""`contentgen review`, `report`, `tune`, `feedback`, `bandit`: from ratings back to generation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from contentgen.cli._common import default_rater, engine_from

if TYPE_CHECKING:
    from contentgen.training.tune_config import TuneConfig

_PATH = click.Path(dir_okay=False, path_type=Path)


@click.group()
def review() -> None:
    """Export review sheets (CSV/XLSX) to fill in, and import them back."""


@review.command("export")
@click.argument("path", type=_PATH)
@click.option(
    "--pairwise", is_flag=True, help="Pairs of outputs of one request to compare, sides shuffled."
)
@click.option(
    "--limit",
    default=200,
    show_default=True,
    help="At most this many rows (unrated outputs first).",
)
@click.option("--task")
@click.option("--template", "template_id")
@click.option("--generator", "generator_id")
@click.option("--channel")
@click.option("--job", "job_id")
@click.option("--seed", type=int, help="Seed of the left/right shuffle.")
@click.pass_context
def review_export(
    ctx: click.Context,
    path: Path,
    pairwise: bool,
    limit: int,
    seed: int | None,
    **filters: str | None,
) -> None:
    """Write a review sheet; the format follows the extension (.csv or .xlsx)."""
    from contentgen.feedback.reviewsheet import export_sheet
    from contentgen.review.scoring import rubrics_of

    engine = engine_from(ctx)
    if filters.get("task"):  # 'news-summary' works; a task the engine does not serve is an error
        filters["task"] = engine.tasks.get(str(filters["task"])).name
    sheet = export_sheet(
        engine.store,
        path,
        kind="pairwise" if pairwise else "rate",
        limit=limit,
        seed=seed,
        rubrics=rubrics_of(engine),
        **{k: v for k, v in filters.items() if v},
    )
    click.echo(f"wrote {sheet.rows} rows to {path} (sheet {sheet.sheet_id})")


@review.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rater",
    default=default_rater,
    show_default="$CONTENTGEN_RATER or login name",
    help="Rater for rows whose 'rater' cell is empty.",
)
@click.pass_context
def review_import(ctx: click.Context, path: Path, rater: str) -> None:
    """Store the ratings of a filled-in sheet; re-importing it stores nothing twice."""
    from contentgen.feedback.reviewsheet import import_sheet

    engine = engine_from(ctx)  # edits are checked, approvals follow the review rules
    report = import_sheet(engine.store, path, rater=rater, engine=engine)
    click.echo(report.summary())
    if not report.ok:
        from contentgen.errors import ValidationError

        raise ValidationError(
            "sheet",
            f"{len(report.problems)} of {report.rows} rows were not imported; fix them "
            "and import the sheet again (rows already stored are skipped)",
        )


@click.command()
@click.option("--out", type=_PATH, help="Write a self-contained HTML report with plots here.")
@click.pass_context
def report(ctx: click.Context, out: Path | None) -> None:
    """Ratings by template, generator, channel (95% intervals), pass rates and bandit beliefs."""
    from contentgen.feedback.report import build_report, report_text
    from contentgen.feedback.report_html import write_report

    engine = engine_from(ctx)
    built = (
        write_report(engine.store, out, engine.settings)
        if out
        else build_report(engine.store, engine.settings)
    )
    click.echo(report_text(built))
    if out:
        click.echo(f"\nwrote {out}")


@click.command()
@click.option("--method", type=click.Choice(["sft", "dpo"]), required=True)
@click.option(
    "--base",
    default="builtin:transformers",
    show_default=True,
    help="A model spec (alias, checkpoint dir, .gguf), a tuned version, or builtin:transformers "
    "(its configured model with its adapter).",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--name", help="Name to register the tuned version under (default: derived).")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Train on this JSONL (chat 'messages' or prompt/completion rows) instead of the ratings.",
)
@click.option(
    "--eval-data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Held-out JSONL: answer loss and perplexity before and after (SFT).",
)
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    help="Copywriting corpus folder: trains on its sft_train.jsonl, evaluates on "
    "sft_heldout.jsonl; built there first if missing.",
)
@click.option(
    "--adapter-only",
    is_flag=True,
    help="Write the LoRA adapter alone (small) instead of the merged full checkpoint.",
)
@click.option("--epochs", default=1.0, show_default=True)
@click.option("--max-steps", default=-1, show_default=True)
@click.option(
    "--max-examples", type=click.IntRange(1), help="Train on a seeded random subset of N rows."
)
@click.option("--eval-examples", default=400, show_default=True, help="Held-out rows scored.")
@click.option("--learning-rate", default=2e-4, show_default=True)
@click.option("--lora-r", default=8, show_default=True)
@click.option("--batch-size", default=8, show_default=True, help="Examples per optimizer step.")
@click.option("--micro-batch-size", default=1, show_default=True, help="Examples per forward pass.")
@click.option("--max-length", default=768, show_default=True, help="Longer rows are skipped.")
@click.option("--precision", type=click.Choice(["fp32", "bf16", "auto"]), default="fp32")
@click.option("--seed", default=0, show_default=True)
@click.pass_context
def tune(
    ctx: click.Context,
    method: str,
    base: str,
    out: Path,
    name: str | None,
    data: Path | None,
    eval_data: Path | None,
    corpus: Path | None,
    adapter_only: bool,
    **hyperparameters: Any,
) -> None:
    """LoRA fine-tune the text model on a corpus or rating-derived data; register a version."""
    import shlex
    import sys

    from contentgen.feedback.tune import tune as run_tune

    config = _tune_config(**hyperparameters)
    if corpus is not None:
        data, eval_data = _corpus_files(corpus, data, eval_data)
    engine = engine_from(ctx)
    result = run_tune(
        method=method,
        base=base,
        out=out,
        settings=engine.settings,
        store=engine.store,
        templates=engine.templates,
        data=data,
        eval_data=eval_data,
        name=name,
        config=config,
        layout="adapter" if adapter_only else "merged",
        command=shlex.join(["contentgen", *sys.argv[1:]]),
        on_step=_progress,
    )
    _echo_result(result)


def _tune_config(
    *,
    epochs: float,
    max_steps: int,
    max_examples: int | None,
    eval_examples: int,
    learning_rate: float,
    lora_r: int,
    batch_size: int,
    micro_batch_size: int,
    max_length: int,
    precision: str,
    seed: int,
) -> TuneConfig:
    """The run's hyperparameters from the command line (LoRA alpha is twice the rank)."""
    from contentgen.training.tune_config import TuneConfig

    return TuneConfig(
        epochs=epochs,
        max_steps=max_steps,
        learning_rate=learning_rate,
        lora_r=lora_r,
        lora_alpha=2 * lora_r,
        batch_size=batch_size,
        micro_batch_size=micro_batch_size,
        max_length=max_length,
        precision=precision,
        seed=seed,
        max_examples=max_examples,
        eval_max_examples=eval_examples,
    )


def _progress(step: dict[str, float]) -> None:
    """Every tenth optimizer step on stderr: loss, epoch and speed."""
    if int(step["step"]) % 10 == 0:
        click.echo(
            f"step {int(step['step'])}: loss {step['loss']:.4f}, epoch {step['epoch']:.2f}, "
            f"{step['tokens_per_cpu_s']:.0f} tokens/CPU-s",
            err=True,
        )


def _corpus_files(
    corpus: Path, data: Path | None, eval_data: Path | None
) -> tuple[Path, Path | None]:
    """The corpus's SFT files (building the corpus first when they are missing)."""
    train, held = corpus / "sft_train.jsonl", corpus / "sft_heldout.jsonl"
    if not train.is_file():
        from contentgen.datasets.copywriting.build import BuildConfig, build_corpus

        click.echo(f"building the copywriting corpus in {corpus} ...", err=True)
        build_corpus(corpus, BuildConfig())
    return data or train, eval_data or (held if held.is_file() else None)


def _echo_result(result: Any) -> None:
    card = result.card
    training = card["training"]
    click.echo(
        f"tuned {card['base_model']['model_id']} with {training['trainer']}: "
        f"{card['data']['rows']} rows, {training['steps']} steps, "
        f"loss {training['train_loss']:.4f}"
    )
    speed = training.get("speed")
    if speed:
        click.echo(
            f"speed: {speed['tokens_per_cpu_s']:.1f} trained tokens per CPU-second "
            f"({speed['tokens']} tokens in {speed['cpu_s']:.0f} CPU-s)"
        )
    for key, metrics in card.get("evaluation", {}).items():
        click.echo(
            f"held-out {key}: loss {metrics['loss']:.4f}, perplexity {metrics['perplexity']:.2f}"
        )
    option, value = (
        ("adapter", result.options["adapter"])
        if "adapter" in result.options
        else ("model", result.options["model"])
    )
    click.echo(
        f"registered version {result.name!r}; use it with\n"
        f'  [generators."{result.generator_id}"]\n  {option} = "{value}"'
    )


@click.group()
def feedback() -> None:
    """Feedback loop: simulation, reward-model training, preference data, tuned versions."""


@feedback.command("simulate")
@click.option("--rounds", default=12, show_default=True)
@click.option("--batch", default=16, show_default=True, help="Requests per bandit round.")
@click.option(
    "--holdout", default=40, show_default=True, help="Held-out products for the rerank measurement."
)
@click.option("--best-of", default=8, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option(
    "--out", type=_PATH, default=Path("benchmarks/results/feedback.md"), show_default=True
)
def simulate(rounds: int, batch: int, holdout: int, best_of: int, seed: int, out: Path) -> None:
    """Measure the loop on synthetic copy with a held-out synthetic rater; print, save numbers."""
    import tempfile

    from contentgen.feedback.simulate import result_markdown, run_simulation

    with tempfile.TemporaryDirectory(prefix="contentgen-sim-") as work:
        result = run_simulation(
            Path(work), rounds=rounds, batch=batch, holdout=holdout, best_of=best_of, seed=seed
        )
    text = result_markdown(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(text)
    click.echo(f"wrote {out}")


@feedback.command("train-reranker")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Model directory (default: <data_dir>/reward_model, where the engine looks).",
)
@click.option("--seed", default=0, show_default=True)
@click.pass_context
def train_reranker(ctx: click.Context, out: Path | None, seed: int) -> None:
    """Train the reward model used for best-of-n reranking from every stored rating."""
    from contentgen.feedback.reward_model import default_model_dir, train_from_store

    engine = engine_from(ctx)
    report = train_from_store(
        engine.store, out or default_model_dir(engine.settings.data_dir), seed=seed
    )
    metrics = (
        ", ".join(f"{k} {v:.3f}" for k, v in sorted(report.metrics.items()))
        or "too few requests to hold out"
    )
    click.echo(
        f"trained on {report.examples} rated outputs "
        f"({report.holdout_examples} held out: {metrics})"
    )
    click.echo(f"saved to {report.path}")


@feedback.command("export-preferences")
@click.option("--format", "fmt", type=click.Choice(["dpo", "kto", "sft"]), required=True)
@click.option(
    "--style",
    type=click.Choice(["conversational", "standard"]),
    default="conversational",
    show_default=True,
)
@click.option("--out", type=_PATH, required=True)
@click.pass_context
def export_preferences(ctx: click.Context, fmt: str, style: str, out: Path) -> None:
    """Write DPO / KTO / SFT training data as JSONL in TRL's column layout."""
    from contentgen.feedback.preferences import export_preferences as run_export

    engine = engine_from(ctx)
    data = run_export(engine.store, engine.templates, out, fmt, style=style)
    click.echo(
        f"wrote {len(data.rows)} {fmt} rows to {out} "
        f"(sources {dict(data.sources)}, skipped {dict(data.skipped)})"
    )


@feedback.command("versions")
@click.pass_context
def versions(ctx: click.Context) -> None:
    """List tuned generator versions."""
    from contentgen.storage.feedback import FeedbackStore

    for v in FeedbackStore(engine_from(ctx).store).list_versions():
        click.echo(
            f"{v.name:40} {v.method:4} base {v.base_model}  "
            f"model={v.options.get('model')}  {v.created_at}"
        )


@click.group()
def bandit() -> None:
    """The routing bandit's arms and what it believes about them."""


@bandit.command("show")
@click.pass_context
def bandit_show(ctx: click.Context) -> None:
    """Each arm's Beta posterior (refreshed from the ratings), pulls and mean score."""
    from contentgen.feedback.bandit import beliefs, refresh_arms
    from contentgen.feedback.report import arm_line

    engine = engine_from(ctx)
    state = "on" if engine.settings.bandit else "off (set [bandit] enabled = true)"
    click.echo(f"bandit routing is {state}; {len(engine.settings.bandit_arms)} arms configured")
    for belief in beliefs(refresh_arms(engine.store, engine.settings.bandit_arms)):
        click.echo(arm_line(belief))
