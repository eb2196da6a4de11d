"""`contentgen explain` and `contentgen corpus` as a user types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import run

ARTICLE = (
    "Acme Corp reported record profits of 12 million dollars on Tuesday. "
    "The company said demand for its rockets doubled. Analysts had expected 9 million."
)
CONFIG = 'data_dir = "data"\n[routes.news_summary]\ngenerator = "builtin:extractive"\n'


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "contentgen.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    return tmp_path


def _summary(workdir: Path, *, ok: bool = True) -> dict:  # type: ignore[type-arg]
    out = run(
        workdir,
        "generate", "news-summary", "--article-file", "article.txt",
        "--method", "extractive", "--target-words", "12", "--json",
        ok=ok,
    )  # fmt: skip
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_explain_prints_the_grounding_and_provenance(workdir: Path) -> None:
    output = _summary(workdir)["outputs"][0]
    text = run(workdir, "explain", output["id"]).stdout
    assert "grounding: 1 of 1 sentences use a fact" in text
    assert "article [" in text and "(passage" in text
    assert "model: builtin:extractive" in text
    data = json.loads(run(workdir, "explain", output["id"], "--json").stdout)
    (sentence,) = data["grounding"]["sentences"]
    link = sentence["links"][0]
    assert link["fact"] == "article"
    assert ARTICLE[link["fact_start"] : link["fact_end"]] in output["text"]
    missing = run(workdir, "explain", "0" * 32, ok=False)
    assert missing.returncode == 3 and "Traceback" not in missing.stderr


def test_a_registered_corpus_rejects_a_copying_summary(workdir: Path) -> None:
    (workdir / "press.txt").write_text(ARTICLE, encoding="utf-8")
    added = run(workdir, "corpus", "add", "press", "press.txt").stdout
    assert "corpus press: 1 documents" in added
    assert "press" in run(workdir, "corpus", "list").stdout
    check = run(workdir, "corpus", "check", ARTICLE.split(". ")[0], ok=False)
    assert check.returncode == 1 and "copies press/press.txt#1" in check.stdout
    assert run(workdir, "corpus", "check", "Nothing like it at all here.").stdout.startswith("no")
    result = _summary(workdir, ok=False)  # no summary passes the checks: a failed request
    assert not result["outputs"]
    assert "copying" in json.dumps(result)
    bad = run(workdir, "corpus", "add", "Bad Name", "press.txt", ok=False)
    assert bad.returncode == 2 and "not a corpus name" in bad.stderr
