"""Batch jobs end to end on a real database with the fast echo generator."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contentgen.batch import export_job
from contentgen.config import Settings
from contentgen.engine import Engine
from contentgen.errors import BatchError
from contentgen.plugins import load_plugins
from contentgen.storage.jobs import get_job, item_errors
from contentgen.storage.rows import output_values
from contentgen.storage.tables import JobItemRow, OutputRow, RequestRow
from contentgen.testing import echo_plugin

ROOT = Path(__file__).parents[2]
BROKEN = ROOT / "tests" / "fixtures" / "broken"
CATALOGUE = ROOT / "examples" / "products.csv"


def _engine(settings: Settings, **generator_options: object) -> Engine:
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", echo_plugin())])
    changed = settings.with_overrides(generators={"testing:echo": generator_options})
    return Engine(changed, plugins, evaluators=[])


def _catalogue(path: Path, n: int, bad: dict[int, str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "price"])
        for i in range(n):
            writer.writerow([f"S{i:04d}", (bad or {}).get(i, f"Product {i}"), f"{i}.50"])
    return path


def _file_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _db_counts(engine: Engine, job_id: str) -> tuple[int, int, int]:
    with engine.store.db.read() as s:
        items = s.scalar(
            select(func.count()).select_from(JobItemRow).where(JobItemRow.job_id == job_id)
        )
        requests = s.scalar(
            select(func.count()).select_from(RequestRow).where(RequestRow.job_id == job_id)
        )
        outputs = s.scalar(
            select(func.count())
            .select_from(OutputRow)
            .join(RequestRow)
            .where(RequestRow.job_id == job_id)
        )
    return int(items or 0), int(requests or 0), int(outputs or 0)


def test_catalogue_job_stores_and_writes_every_variant_once_in_input_order(
    engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    run = engine.batch(
        CATALOGUE, task="marketing", mapping=["name=name"], variants=3, key="sku", out=out
    )
    results = list(run)
    summary = run.summary()
    assert (summary.done, summary.failed, summary.outputs, summary.pending) == (24, 0, 72, 0)
    assert all(len(r.outputs) == 3 for r in results)
    rows = _file_rows(out)
    assert len(rows) == 72
    assert [r["row"] for r in rows] == [str(i) for i in range(1, 25) for _ in range(3)]
    assert rows[0]["key"] == "SKU-1001" and "Trail Runner X" in rows[0]["headline"]
    assert _db_counts(engine, run.plan.job.id) == (24, 24, 72)
    stored = engine.get_output(rows[0]["output_id"])
    assert (
        stored.provenance.template_id == "marketing/search_ad"
        and stored.provenance.seed is not None
    )
    assert get_job(engine.store, "products").status == "done"
    # The results file written again from the database alone is the same file.
    again = tmp_path / "again.csv"
    assert export_job(engine, "products", again).done == 24
    assert _file_rows(again) == rows


def test_results_stream_while_the_input_is_still_being_read(settings: Settings) -> None:
    engine = _engine(settings, batch_size=4)
    read = []

    def rows() -> Iterator[dict[str, str]]:
        for i in range(100):
            read.append(i)
            yield {"name": f"Lamp {i}"}

    run = engine.batch(rows(), task="marketing", variants=1, window=8)
    results = iter(run)
    first = next(results)
    assert first.status == "done" and len(read) <= 9  # one window, not the whole input
    assert len(list(results)) == 99 and len(read) == 100
    assert get_job(engine.store, run.plan.job.id).done == 100
    engine.close()


def test_interrupted_run_resumes_with_every_row_exactly_once(
    settings: Settings, db_url: str, tmp_path: Path
) -> None:
    engine = _engine(settings.with_overrides(database_url=db_url), batch_size=5)
    source = _catalogue(tmp_path / "in.csv", 60)
    out = tmp_path / "out.csv"
    options = {
        "task": "marketing",
        "mapping": ["name=title"],
        "variants": 2,
        "key": "sku",
        "out": out,
        "window": 10,
    }
    first = engine.batch(source, **options)
    seen = []
    for result in first:
        seen.append(result)
        if len(seen) == 17:
            break  # the consumer stops: a crash as far as the job can tell
    job = get_job(engine.store, first.plan.job.id)
    assert job.status == "incomplete" and 17 <= job.done < 60
    before = {r.key: r.request_id for r in seen}

    second = engine.batch(source, **options)
    assert second.plan.resumed and second.plan.job.id == first.plan.job.id
    rest = list(second)
    assert second.summary().already_done == job.done
    assert job.done + len(rest) == 60 and not set(before) & {r.key for r in rest}
    assert _db_counts(engine, job.id) == (60, 60, 120)
    rows = _file_rows(out)
    assert Counter((r["key"], r["variant"]) for r in rows) == Counter(
        {(f"S{i:04d}", str(v)): 1 for i in range(60) for v in (1, 2)}
    )
    stored = {r["key"]: r["output_id"] for r in rows if r["variant"] == "1"}
    assert all(engine.get_output(stored[k]).request_id == rid for k, rid in before.items())
    assert list(engine.batch(source, **options)) == []  # a third run has nothing to do
    engine.close()


def test_broken_rows_fail_alone_and_retry_failed_reruns_only_them(
    engine: Engine, tmp_path: Path
) -> None:
    source = tmp_path / "catalogue.csv"
    shutil.copy(BROKEN / "products_broken.csv", source)
    out = tmp_path / "out.csv"
    options = {"task": "marketing", "mapping": ["name=title"], "key": "sku", "out": out}
    run = engine.batch(source, **options)
    summary = run.run()
    assert (summary.done, summary.failed) == (3, 8)
    errors = {e.row_index + 1: e.error for e in item_errors(engine.store, run.plan.job.id)}
    assert set(errors) == {2, 3, 4, 5, 6, 7, 8, 11}
    assert "column 'title' (-> product.name): is empty" in errors[4]
    assert "is 1500 characters; the limit is 1000" in errors[5]
    assert "not valid UTF-8" in errors[6] and "duplicate key 'P-001'" in errors[7]
    rows = _file_rows(out)
    assert {r["row"] for r in rows} == {
        str(i) for i in range(1, 12)
    }  # nothing lost: every row is there
    assert sum(r["status"] == "failed" for r in rows) == 8

    fixed = source.read_bytes().replace(b"P-004,,", b"P-004,Navy Tee,").replace(b"Caf\xe9", b"Cafe")
    source.write_bytes(fixed)
    assert list(engine.batch(source, **options)) == []  # without the flag, failed rows stay failed
    retried = engine.batch(source, retry_failed=True, **options)
    again = {r.row + 1: r.status for r in retried}
    assert again == {
        2: "failed",
        3: "failed",
        4: "done",
        5: "failed",
        6: "done",
        7: "failed",
        8: "failed",
        11: "failed",
    }
    job = get_job(engine.store, run.plan.job.id)
    assert (job.done, job.failed, job.pending) == (5, 6, 0)
    assert _db_counts(engine, job.id) == (11, 5, 15)
    rows = _file_rows(out)
    assert Counter(r["row"] for r in rows if r["status"] == "done")["4"] == 3


def test_a_prompt_that_breaks_the_generator_fails_only_its_own_row(
    settings: Settings, tmp_path: Path
) -> None:
    engine = _engine(settings, fail_on="Cursed")
    source = _catalogue(tmp_path / "in.csv", 12, bad={5: "Cursed Lamp"})
    summary = engine.batch(source, task="marketing", mapping=["name=title"], key="sku").run()
    assert (summary.done, summary.failed) == (11, 1)
    (error,) = item_errors(engine.store, get_job(engine.store, "in").id)
    assert error.row_key == "S0005" and "told to fail on 'Cursed'" in error.error
    engine.close()


def test_same_job_name_with_other_settings_is_refused(engine: Engine, tmp_path: Path) -> None:
    source = _catalogue(tmp_path / "in.csv", 3)
    engine.batch(source, task="marketing", mapping=["name=title"], variants=2).run()
    with pytest.raises(BatchError, match="other settings .*variants"):
        engine.batch(source, task="marketing", mapping=["name=title"], variants=3)
    engine.batch(
        source, task="marketing", mapping=["name=title"], variants=3, job_name="in-v3"
    ).run()


def test_parquet_in_xlsx_out_and_news_from_jsonl(engine: Engine, tmp_path: Path) -> None:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"sku": ["A", "B"], "title": ["Mug", "Lamp"]}), tmp_path / "in.parquet")
    out = tmp_path / "ads.xlsx"
    engine.batch(
        tmp_path / "in.parquet", task="marketing", mapping=["name=title"], key="sku", out=out
    ).run()
    sheet = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert len(sheet) == 1 + 6 and {r[1] for r in sheet[1:]} == {"A", "B"}

    news = engine.batch(
        BROKEN / "articles_broken.jsonl",
        task="news_summary",
        key="id",
        mapping=["article=body", "title=headline"],
        out=tmp_path / "news.jsonl",
    )
    summary = news.run()
    assert (summary.done, summary.failed) == (2, 5)


def test_an_output_committed_in_bulk_reads_back_as_it_was_returned(engine: Engine) -> None:
    run = engine.batch(CATALOGUE, task="marketing", variants=1, key="sku")
    output = next(iter(run)).outputs[0]
    columns = {c.key for c in OutputRow.__table__.columns} - {"created_at"}
    assert set(output_values(output, {"channel": "search_ad"})) == columns
    assert replace(engine.store.get_output(output.id), created_at=None) == output


def test_default_job_names_never_mix_two_inputs(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _catalogue(tmp_path / "a" / "shop.csv", 2)
    other = _catalogue(tmp_path / "b" / "shop.csv", 2)
    engine.batch(first, task="marketing", mapping=["name=title"], key="sku").run()
    with pytest.raises(BatchError, match="was run on .*pass --job-name"):
        engine.batch(other, task="marketing", mapping=["name=title"], key="sku")
    one = engine.batch([{"name": "Mug"}], task="marketing").run()
    two = engine.batch([{"name": "Lamp"}], task="marketing").run()
    assert (one.done, two.done) == (1, 1) and one.job_id != two.job_id


def test_parquet_dates_and_missing_numbers_become_text_and_blanks(
    engine: Engine, tmp_path: Path
) -> None:
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "title": ["Mug", "Lamp"],
            "since": [dt.date(2024, 1, 2), None],
            "weight": [1.5, float("nan")],
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    run = engine.batch(tmp_path / "in.parquet", task="marketing", mapping=["name=title"])
    results = sorted(run, key=lambda r: r.row)  # results come in model-batch order
    assert [r.status for r in results] == ["done", "done"]
    payloads = [engine.store.request_payload(r.request_id or "") for r in results]
    assert payloads[0]["product"] == {"name": "Mug", "since": "2024-01-02", "weight": 1.5}
    assert payloads[1]["product"] == {"name": "Lamp"}


def test_parquet_zero_names_are_generated_and_failed_rows_keep_their_key(
    engine: Engine, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    titles = pa.array([b"0", b"Caf\xe9 mug", b"Lamp"], type=pa.binary()).view(pa.string())
    table = pa.table(
        {
            "sku": ["S-1", "S-2", "S-3"],
            "name": [0, 7, 8],  # a numeric name column: 0 is a name, not "missing"
            "title": titles,
            "in_stock": [False, True, True],
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    out = tmp_path / "results.csv"
    run = engine.batch(tmp_path / "in.parquet", task="marketing", key="sku", variants=1, out=out)
    results = {r.key: r for r in run}
    assert results["S-1"].status == "done" and results["S-3"].status == "done"
    payload = engine.store.request_payload(results["S-1"].request_id or "")
    assert payload["product"] == {"name": 0, "title": "0", "in_stock": False}
    assert results["S-2"].status == "failed" and "not valid UTF-8" in (results["S-2"].error or "")
    (failed,) = item_errors(engine.store, run.plan.job.id)
    assert failed.row_key == "S-2"
    lines = {r["key"]: r for r in _file_rows(out)}
    assert lines["S-2"]["status"] == "failed" and "not valid UTF-8" in lines["S-2"]["error"]
