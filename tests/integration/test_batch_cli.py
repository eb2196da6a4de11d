"""`contentgen batch` and `contentgen jobs` through click, on the echo generator."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from contentgen.cli import COMMANDS
from contentgen.cli.batch import batch, jobs
from contentgen.engine import Engine
from contentgen.storage.jobs import list_jobs

ROOT = Path(__file__).parents[2]
CATALOGUE = ROOT / "examples" / "products.csv"
BROKEN = ROOT / "tests" / "fixtures" / "broken"


def _invoke(command, args: list[str], engine: Engine):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        command, [str(a) for a in args], obj={"engine": engine}, catch_exceptions=False
    )
    return result


def test_batch_command_runs_the_job_and_prints_a_summary(engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = _invoke(
        batch,
        [
            CATALOGUE,
            "--task",
            "marketing",
            "--template",
            "marketing/search_ad",
            "--map",
            "name=name",
            "--map",
            "price_eur=price_eur",
            "--variants",
            "3",
            "--key",
            "sku",
            "--out",
            out,
            "--job-name",
            "spring",
        ],
        engine,
    )
    assert result.exit_code == 0, result.output
    assert "starting job spring" in result.output
    assert (
        "24/24 rows (100%)" in result.output
        and "rows/s" in result.output
        and "ETA" in result.output
    )
    assert "72 accepted variants" in result.output and str(out) in result.output
    with out.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 72
    again = _invoke(
        batch,
        [
            CATALOGUE,
            "--map",
            "name=name",
            "--map",
            "price_eur=price_eur",
            "--template",
            "marketing/search_ad",
            "--variants",
            "3",
            "--key",
            "sku",
            "--out",
            out,
            "--job-name",
            "spring",
        ],
        engine,
    )
    assert "resuming job spring" in again.output and "24 were done before" in again.output


def test_jobs_lists_counts_and_show_lists_failed_rows(engine: Engine, tmp_path: Path) -> None:
    _invoke(
        batch,
        [
            BROKEN / "products_broken.csv",
            "--map",
            "name=title",
            "--key",
            "sku",
            "--out",
            tmp_path / "b.csv",
        ],
        engine,
    )
    listed = _invoke(jobs, [], engine)
    line = next(x for x in listed.output.splitlines() if "products_broken" in x)
    assert line.split()[3:8] == ["done", "11", "3", "8", "0"]
    shown = _invoke(jobs, ["show", "products_broken"], engine)
    assert "11: 3 done, 8 failed, 0 pending" in shown.output
    assert "row 5 (line 6): column 'title' (-> product.name): is 1500 characters" in shown.output
    exported = _invoke(
        jobs, ["export", "products_broken", "--out", tmp_path / "again.xlsx"], engine
    )
    assert exported.exit_code == 0 and (tmp_path / "again.xlsx").stat().st_size > 0


def test_dry_run_plans_and_estimates_without_storing(engine: Engine, tmp_path: Path) -> None:
    result = _invoke(
        batch,
        [
            BROKEN / "products_broken.csv",
            "--map",
            "name=title",
            "--key",
            "sku",
            "--variants",
            "2",
            "--dry-run",
        ],
        engine,
    )
    assert result.exit_code == 0, result.output
    assert "11 rows x 2 variants = 22 outputs" in result.output
    assert "generator testing:echo@1.0, template marketing/search_ad" in result.output
    assert "3 rows map to valid requests, 8 would fail" in result.output
    assert "estimate  about" in result.output and "calibration: 3 rows" in result.output
    assert list_jobs(engine.store) == [] and engine.store.count("outputs") == 0


def test_missing_column_is_an_error_before_any_work(engine: Engine) -> None:
    result = CliRunner().invoke(
        batch, [str(BROKEN / "missing_column.csv"), "--map", "name=title"], obj={"engine": engine}
    )
    assert result.exit_code != 0
    assert "column 'title' is not in the input (columns: sku, name, price)" in str(result.exception)
    assert list_jobs(engine.store) == []


def test_commands_are_registered() -> None:
    assert (
        COMMANDS["batch"] == "contentgen.cli.batch:batch"
        and COMMANDS["jobs"] == "contentgen.cli.batch:jobs"
    )


def test_demo_runs_the_catalogue_as_a_resumable_batch_job(engine: Engine, tmp_path: Path) -> None:
    from contentgen.cli.demo import demo

    out = tmp_path / "demo_results.csv"
    args = ["--catalogue", CATALOGUE, "--rows", "5", "--out", out]
    first = _invoke(demo, args, engine)
    assert first.exit_code == 0, first.output
    assert (
        "5 of 5 products done, 0 failed" in first.output and "15 outputs accepted" in first.output
    )
    assert f"file      {out}" in first.output and "database  sqlite:///" in first.output
    with out.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 15
    second = _invoke(demo, args, engine)
    assert "5 were done before" in second.output
    assert [j.name for j in list_jobs(engine.store)] == ["demo"]


def _truncated_parquet() -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"sku": ["A", "B"], "title": ["Mug", "Lamp"]}), buffer)
    return buffer.getvalue()[:-30]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("catalogue.parquet", b"sku,title\nA,Mug\n", "is not a readable Parquet file"),
        ("catalogue.parquet", _truncated_parquet(), "is not a readable Parquet file"),
        ("catalogue.csv", gzip.compress(b"sku,title\nA,Mug\n"), "is gzip-compressed"),
        ("catalogue.csv", "sku,title\nA,Mug\n".encode("utf-16"), "is UTF-16 text"),
        ("catalogue.jsonl", b"[1]\n\xff\n", "none of its 2 rows can be read as JSONL"),
    ],
    ids=["csv-as-parquet", "truncated-parquet", "gzip-csv", "utf16-csv", "no-jsonl-object"],
)
def test_an_unreadable_input_file_exits_2_naming_it_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: bytes, problem: str
) -> None:
    from contentgen.cli import main

    path = tmp_path / name
    path.write_bytes(content)
    monkeypatch.setenv("CONTENTGEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    with CliRunner().isolation() as streams:
        with pytest.raises(SystemExit) as exited:
            main(["batch", str(path), "--map", "name=title", "--key", "sku"])
        output = b"".join(s.getvalue() for s in streams[:2]).decode()
    assert exited.value.code == 2
    assert output.startswith(f"error: {name}") and problem in output, output
    assert "Traceback" not in output and not (tmp_path / "data" / "contentgen.db").exists()
