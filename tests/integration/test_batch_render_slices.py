"""A batch job renders its rows a slice at a time (one render-worker job per slice); a row whose
render fails is that row's error, and a rerun renders and generates nothing again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from contentgen.storage.jobs import item_errors
from contentgen.templates import Renders, TemplateLibrary
from contentgen.testing import echo_engine

# (the job's routing probe renders a sample product, which has no material: hence the default)
LOOPS = (
    "{% for i in range(product.material|default(2)|int) %}.{% endfor %}Ad for {{ product.name }}"
)


def test_rows_render_sixteen_at_a_time_and_a_row_whose_render_fails_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "templates" / "marketing"
    folder.mkdir(parents=True)
    (folder / "loops.j2").write_text(LOOPS, encoding="utf-8")
    slices: list[int] = []
    original = TemplateLibrary.render_many

    def render_many(
        library: TemplateLibrary, requests: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> Renders:
        slices.append(len(requests))
        return original(library, requests)

    monkeypatch.setattr(TemplateLibrary, "render_many", render_many)
    rows = [{"sku": f"S{i:02d}", "name": f"Lamp {i}", "material": "2"} for i in range(20)]
    rows[7]["material"] = "20000"  # over the sandbox's range cap: this row's render fails
    options: dict[str, Any] = {"task": "marketing", "template": "marketing/loops", "key": "sku"}
    options.update(mapping=["name=name", "material=material"], variants=1, job_name="slices")
    with echo_engine(tmp_path / "data") as engine:
        engine.templates = TemplateLibrary.with_builtins([tmp_path / "templates"])
        summary = engine.batch(rows, **options).run()
        rendered = list(slices)
        again = engine.batch(rows, **options).run()
        (error,) = item_errors(engine.store, summary.job_id)
        stored = engine.store.count("requests")
    assert rendered == [1, 16, 4]  # the job's routing probe, then 20 rows in two jobs, not 20
    assert (summary.done, summary.failed) == (19, 1)
    assert error.row_key == "S07" and "the cap is 10000" in error.error
    assert (again.done, again.failed, again.already_done) == (0, 0, 20)
    assert slices == [*rendered, 1]  # the rerun rendered its probe only: every row had finished
    assert stored == 19
