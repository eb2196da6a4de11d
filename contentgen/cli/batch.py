"""`contentgen batch` (a resumable catalogue job) and `contentgen jobs` (list, show, export)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from contentgen.cli._common import engine_from, parse_pairs

if TYPE_CHECKING:
    from contentgen.batch import BatchRun, BatchSummary
    from contentgen.batch.planning import DryRun
    from contentgen.engine import Engine


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


@contextmanager
def progress(total: int | None, start: int, label: str) -> Iterator[Any]:
    """A rich bar with rows/s and ETA on a terminal; a plain log line every 5 s otherwise."""
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} rows/s"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        with bar:
            task = bar.add_task(label, total=total, completed=start, rate="-")
            started = time.perf_counter()

            def advance(done_now: int, **_: Any) -> None:
                rate = done_now / max(time.perf_counter() - started, 1e-9)
                bar.update(task, completed=start + done_now, rate=f"{rate:.1f}")

            yield advance
        return
    started = last = time.perf_counter()

    def log_line(done_now: int, *, force: bool = False) -> None:
        nonlocal last
        now = time.perf_counter()
        if not force and now - last < 5:
            return
        last = now
        rate = done_now / max(now - started, 1e-9)
        if total:
            left = max(0, total - start - done_now)
            eta = _duration(left / rate) if rate > 0 else "?"
            share = 100 * (start + done_now) / total
            click.echo(
                f"{label}: {start + done_now}/{total} rows ({share:.0f}%), {rate:.1f} rows/s, "
                f"ETA {eta}",
                err=True,
            )
        else:
            click.echo(f"{label}: {start + done_now} rows, {rate:.1f} rows/s", err=True)

    yield log_line


def _print_summary(s: BatchSummary, run: BatchRun) -> None:
    click.secho(f"\njob {s.job_name} ({s.job_id})", bold=True)
    rate = f"{s.rows_per_s:.1f} rows/s" if s.done + s.failed else "nothing to do"
    click.echo(
        f"  rows      {s.rows if s.rows is not None else '?'} in the input; this run finished "
        f"{s.done + s.failed} ({s.done} done, {s.failed} failed); {s.already_done} were done "
        "before"
        + (f"; {s.by_other_runs} by another run at the same time" if s.by_other_runs else "")
    )
    click.echo(f"  outputs   {s.outputs} accepted variants, {s.rejected} rejected drafts")
    click.echo(
        f"  time      {_duration(s.elapsed_s)} ({rate}; {s.generate_s:.1f} s inside the model)"
    )
    if s.pending:
        click.secho(
            f"  pending   {s.pending} rows not finished: rerun the same command to resume",
            fg="yellow",
        )
    job = run.job
    if job.failed:
        click.secho(
            f"  failed    {job.failed} rows in the job (rerun with --retry-failed after "
            "fixing them):",
            fg="yellow",
        )
        from contentgen.storage.jobs import item_errors

        for e in item_errors(run.engine.store, job.id, limit=10):
            click.echo(f"    {e.error}")
        if job.failed > 10:
            click.echo(f"    ... `contentgen jobs show {job.id}` lists them all")
    if s.out_path:
        click.echo(f"  file      {s.out_path}")
    click.echo(f"  database  {s.database}")


def _print_dry_run(plan: DryRun) -> None:
    click.secho("dry run: nothing is stored", bold=True)
    click.echo(f"  input     {plan.input} ({plan.format}, {plan.rows} rows)")
    click.echo(f"  job       {plan.job_name} ({plan.job_state})")
    click.echo(
        f"  work      {plan.rows} rows x {plan.variants} variants = {plan.rows * plan.variants} "
        f"outputs ({plan.rows_to_run} rows to run)"
    )
    click.echo(
        f"  routing   generator {plan.generator}, template {plan.template} "
        f"(sha256 {str(plan.template_hash)[:12]}), model batch {plan.batch_size}"
    )
    click.echo(f"  params    {json.dumps(dict(plan.params), default=str)}")
    for line in plan.mapping:
        click.echo(f"  mapping   {line}")
    valid = plan.rows - plan.invalid_rows
    click.echo(f"  checks    {valid} rows map to valid requests, {plan.invalid_rows} would fail")
    for line in plan.invalid_samples:
        click.echo(f"    {line}")
    if plan.problem:
        click.secho(f"  estimate  none: {plan.problem}", fg="red")
    elif plan.estimate_s is not None and plan.per_row_s is not None:
        click.echo(
            f"  estimate  about {_duration(plan.estimate_s)} (calibration: {plan.calibration_rows} "
            f"rows in {plan.per_row_s * plan.calibration_rows:.2f} s after a {plan.load_s:.1f} s "
            "model load; full model batches run faster)"
        )


def _ray_engine_factory(ctx: click.Context, engine: Engine) -> Callable[[], Engine]:
    """How each Ray actor builds its engine: this configuration, rebuilt in the worker."""
    import logging

    from contentgen.batch.ray_runner import config_engine_factory

    if logging.getLogger().getEffectiveLevel() >= logging.WARNING:
        import ray.data  # noqa: F401 - Ray Data configures its loggers on import

        logging.getLogger("ray.data").setLevel(logging.WARNING)  # its own progress lines
    root = ctx.find_root()
    return config_engine_factory(engine, (root.obj or {}).get("config_path"))


def _run_with_progress(run: BatchRun, already: int) -> BatchSummary:
    """Run the job to its end, drawing progress on stderr; its summary."""
    job = run.plan.job
    with progress(job.total_rows, already, job.name) as advance:
        count = 0
        for _ in run:
            count += 1
            advance(count)
        if not sys.stderr.isatty():
            advance(count, force=True)
    return run.summary()


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--task",
    default="marketing",
    show_default=True,
    help="marketing, news_summary, customer_service, or a task a plugin adds.",
)
@click.option("--template", help="Template id, e.g. marketing/search_ad.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="TARGET=SOURCE",
    help="Feed a request field or product fact from a column: name=title, article=body, "
    "context.order_id=order. Repeatable.",
)
@click.option("--variants", type=int, help="Outputs per row (marketing: 3 by default).")
@click.option("--channel", help="Marketing channel (search_ad, social_post, email, ...).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Results file: .csv, .jsonl or .xlsx [default: <job name>_results.csv].",
)
@click.option(
    "--job-name", help="Name of the job; the same name and options resume it [default: input stem]."
)
@click.option("--key", help="Column that identifies a row (e.g. sku); default: the row number.")
@click.option("--retry-failed", is_flag=True, help="Run the rows that failed before again.")
@click.option("--dry-run", is_flag=True, help="Show the plan and a time estimate; store nothing.")
@click.option(
    "--engine", "backend", type=click.Choice(["local", "ray"]), default="local", show_default=True
)
@click.option(
    "--workers", type=int, default=2, show_default=True, help="Ray actors (--engine ray)."
)
@click.option("--generator", help="Generator id to use instead of the configured route.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Sampling parameter.")
@click.option(
    "--format",
    "input_format",
    type=click.Choice(["csv", "jsonl", "parquet"]),
    help="Input format when the suffix does not tell.",
)
@click.option(
    "--max-field-chars", type=int, help="Longest value allowed in a fact or context column [1000]."
)
@click.option("--window", type=int, help="Rows read and sorted together [256].")
@click.option(
    "--calibrate", type=int, default=4, show_default=True, help="Rows timed by --dry-run."
)
@click.pass_context
def batch(
    ctx: click.Context,
    input_path: Path,
    maps: tuple[str, ...],
    params: tuple[str, ...],
    out: Path | None,
    dry_run: bool,
    calibrate: int,
    backend: str,
    workers: int,
    **options: Any,
) -> None:
    """Generate for every row of a CSV/JSONL/Parquet file; resumable, exactly once per row."""
    engine = engine_from(ctx)
    run_args = {
        "rows": input_path,
        "mapping": list(maps),
        "params": parse_pairs(params, "--param", typed=True),
        **options,
    }
    if dry_run:
        from contentgen.batch.planning import dry_run as plan_dry_run

        run_args.pop("rows")
        _print_dry_run(plan_dry_run(engine, input_path, calibrate=calibrate, **run_args))
        return
    from contentgen.batch import run_batch

    factory = _ray_engine_factory(ctx, engine) if backend == "ray" else None
    name = options.get("job_name") or input_path.stem
    out = out or Path(f"{name}_results.csv")
    run = run_batch(
        engine,
        input_path,
        out=out,
        backend=backend,
        workers=workers,
        engine_factory=factory,
        **{k: v for k, v in run_args.items() if k != "rows"},
    )
    job = run.plan.job
    already = job.done + (0 if options.get("retry_failed") else job.failed)
    verb = "resuming" if run.plan.resumed else "starting"
    click.echo(
        f"{verb} job {job.name} ({job.id}): {job.total_rows} rows x "
        f"{run.plan.spec.fixed_fields().get('variants', 1)} "
        f"with {run.plan.generator_id}, template {run.plan.template_id}; model batch "
        f"{run.plan.batch_size}" + (f"; {already} rows already finished" if already else ""),
        err=True,
    )
    summary = _run_with_progress(run, already)
    _print_summary(summary, run)
    if summary.done + summary.failed and not summary.outputs:
        from contentgen.errors import NoAcceptedOutputError

        raise NoAcceptedOutputError(
            f"job {summary.job_name}",
            summary.rejected,
            f"`contentgen jobs show {summary.job_id}` lists the failed rows",
        )


@click.group(invoke_without_command=True)
@click.option("--limit", default=30, show_default=True)
@click.pass_context
def jobs(ctx: click.Context, limit: int) -> None:
    """List batch jobs with done, failed and pending counts (`jobs show ID`, `jobs export ID`)."""
    if ctx.invoked_subcommand is not None:
        return
    from contentgen.storage.jobs import list_jobs

    found = list_jobs(engine_from(ctx).store, limit=limit)
    click.echo(
        f"{'ID':32}  {'NAME':20} {'TASK':16} {'STATUS':10} {'ROWS':>6} {'DONE':>6} "
        f"{'FAILED':>6} {'PENDING':>7}  UPDATED"
    )
    for j in found:
        pending = "?" if j.pending is None else j.pending
        click.echo(
            f"{j.id:32}  {j.name[:20]:20} {j.task:16} {j.status:10} {j.total_rows or '?':>6} "
            f"{j.done:>6} {j.failed:>6} {pending:>7}  {(j.updated_at or '')[:19]}"
        )
    click.echo(f"{len(found)} job(s)")


@jobs.command("show")
@click.argument("job")
@click.option("--errors", "max_errors", default=20, show_default=True, help="Failed rows to list.")
@click.pass_context
def show_job(ctx: click.Context, job: str, max_errors: int) -> None:
    """One job (by id or name): settings, counts and the rows that failed."""
    from contentgen.storage.jobs import get_job, item_errors

    store = engine_from(ctx).store
    j = get_job(store, job)
    click.secho(f"job {j.name} ({j.id})", bold=True)
    click.echo(
        f"  status    {j.status}; created {(j.created_at or '')[:19]}, "
        f"updated {(j.updated_at or '')[:19]}"
    )
    click.echo(
        f"  rows      {j.total_rows or '?'}: {j.done} done, {j.failed} failed, "
        f"{'?' if j.pending is None else j.pending} pending"
    )
    for key in (
        "input",
        "task",
        "generator",
        "template",
        "template_hash",
        "channel",
        "variants",
        "key",
        "mapping",
        "params",
    ):
        if j.config.get(key) not in (None, [], {}):
            value = j.config[key]
            click.echo(
                f"  {key:9} "
                f"{value if isinstance(value, str | int) else json.dumps(value, default=str)}"
            )
    for e in item_errors(store, j.id, limit=max_errors):
        click.echo(f"  failed    {e.error} (attempts: {e.attempts})")


@jobs.command("export")
@click.argument("job")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Results file: .csv, .jsonl or .xlsx.",
)
@click.pass_context
def export_command(ctx: click.Context, job: str, out: Path) -> None:
    """Write a job's results file from the database (input order, one line per variant)."""
    from contentgen.batch import export_job

    j = export_job(engine_from(ctx), job, out)
    click.echo(f"wrote {out} ({j.done} done rows, {j.failed} failed)")
