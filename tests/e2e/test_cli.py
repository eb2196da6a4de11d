"""The command line end to end, as a user types it, in a clean working directory."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = """
data_dir = "data"
[routes.marketing]
generator = "seasonal:phrasebook"
[routes.news_summary]
generator = "builtin:extractive"
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "contentgen.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def run(workdir: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTENTGEN_")}
    done = subprocess.run(
        [sys.executable, "-m", "contentgen", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def _ids(text: str) -> list[str]:
    return re.findall(r"^\[([0-9a-f]{32})\]", text, flags=re.M)


def test_generate_rate_show_stats_and_export(workdir: Path) -> None:
    out = run(
        workdir,
        "generate",
        "marketing",
        "--product",
        "name=Wool Throw",
        "--product",
        "price_eur=69.00",
        "--channel",
        "sms",
        "--variants",
        "2",
        "--seed",
        "4",
    ).stdout
    ids = _ids(out)
    assert len(ids) == 2 and "Wool Throw" in out
    run(workdir, "rate", ids[0], "--score", "5", "--thumb", "up", "--rater", "anna")
    run(workdir, "compare", ids[0], ids[1], "--prefer", ids[1], "--rater", "anna")
    shown = run(workdir, "show", ids[0]).stdout
    assert "seasonal:phrasebook" in shown and "rating score by anna: 5" in shown
    assert "marketing/sms" in shown
    stats = run(workdir, "stats", "--by", "generator").stdout
    assert re.search(r"seasonal:phrasebook\s+2\s+0\s+1\s+5.00\s+1", stats), stats
    run(workdir, "export", "--out", "all.csv")
    with (workdir / "all.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["output_id"] for r in rows} == set(ids)
    jsonl = run(workdir, "export", "--format", "jsonl").stdout
    assert (
        len(jsonl.strip().splitlines()) == 2
        and json.loads(jsonl.splitlines()[0])["task"] == "marketing"
    )
    listed = run(workdir, "list", "--task", "marketing").stdout
    assert all(i in listed for i in ids)


def test_extractive_summary_from_a_file(workdir: Path) -> None:
    article = workdir / "article.txt"
    article.write_text(
        "Acme Corp reported record profits of 12 million dollars on Tuesday. "
        "The company said demand for its rockets doubled. Analysts had expected 9 million. "
        "Shares rose 4 percent in early trading.",
        encoding="utf-8",
    )
    out = run(
        workdir,
        "generate",
        "news-summary",
        "--article-file",
        str(article),
        "--method",
        "extractive",
        "--target-words",
        "12",
        "--json",
    ).stdout
    result = json.loads(out)
    text = result["outputs"][0]["text"]
    assert text and text in article.read_text()


def test_errors_become_exit_codes_with_the_valid_choices(workdir: Path) -> None:
    bad = run(
        workdir,
        "generate",
        "marketing",
        "--product",
        "name=Mug",
        "--channel",
        "billboard",
        ok=False,
    )
    assert bad.returncode == 2 and "channel" in bad.stderr and "search_ad" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = run(workdir, "rate", "0" * 32, "--score", "3", ok=False)
    assert missing.returncode == 3 and "unknown output" in missing.stderr
    unknown = run(
        workdir, "generate", "marketing", "--product", "name=Mug", "--generator", "nope:x", ok=False
    )
    assert unknown.returncode == 3 and "seasonal:phrasebook" in unknown.stderr
    pair = run(workdir, "generate", "marketing", "--product", "nameMug", ok=False)
    assert pair.returncode == 2 and "KEY=VALUE" in pair.stderr


def test_listing_commands_show_what_is_installed(workdir: Path) -> None:
    assert "marketing/search_ad" in run(workdir, "templates").stdout
    assert "marketing/seasonal_sms" in run(workdir, "templates", "--task", "marketing").stdout
    generators = run(workdir, "generators").stdout
    assert "seasonal:phrasebook" in generators and "default for: marketing" in generators
    plugins = run(workdir, "plugins").stdout
    assert re.search(r"seasonal\s+0\.2\.0\s+ok", plugins)


def test_blocking_a_plugin_by_environment(workdir: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONTENTGEN_")},
        "CONTENTGEN_BLOCK_PLUGINS": "seasonal",
    }
    done = subprocess.run(
        [sys.executable, "-m", "contentgen", "plugins"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.search(r"seasonal\s+\S+\s+blocked", done.stdout)


def test_db_upgrade_reports_the_revision(workdir: Path) -> None:
    from contentgen.storage.migrate import head_revision

    assert f"is at revision {head_revision()}" in run(workdir, "db", "upgrade").stdout
    assert (
        f"current {head_revision()}; newest {head_revision()}"
        in run(workdir, "db", "current").stdout
    )


def test_generators_options_lists_each_option_with_type_default_and_choices(
    workdir: Path,
) -> None:
    shown = run(workdir, "generators", "--options").stdout
    assert re.search(r'season = "winter"\s+one of "winter" \| "spring" \| "summer"', shown)
    assert re.search(r"scale = 1\s+int from 1 to 32; default output size", shown)
    assert "options:" not in run(workdir, "generators").stdout
