"""Every bad parameter exits 2 before a model loads; a run with nothing accepted exits 4.

Command lines run in-process through `contentgen.cli.main`, the console script's entry point.
Marketing and customer service keep their default route (builtin:transformers): `Generator.load`
is patched to fail, so a check that came after loading would show up as a crash, not exit 2.
The example plugin's phrasebook generator (no model) gives real runs; a brand kit banning
"mug" makes every draft about a mug fail its checks.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from contentgen.errors import NoAcceptedOutputError
from contentgen.generator import Generator
from contentgen.safety.pii import PiiLogFilter
from contentgen.sampling import COMMON_PARAMS
from tests.unit.test_fuzz_cli import run_cli

CONFIG = """
data_dir = "data"
brand_kit = "kit.toml"
[routes.news_summary]
generator = "builtin:extractive"
"""
KIT = 'version = "t1"\nname = "Test"\n[banned]\nterms = ["mug"]\n'
PHRASEBOOK = [
    "--generator",
    "seasonal:phrasebook",
    "--channel",
    "sms",
    "--variants",
    "1",
    "--seed",
    "1",
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir with the config and brand kit; cwd moved there; no CONTENTGEN_* variables."""
    root = tmp_path_factory.mktemp("cli-exit")
    (root / "contentgen.toml").write_text(CONFIG, encoding="utf-8")
    (root / "kit.toml").write_text(KIT, encoding="utf-8")
    (root / "mugs.csv").write_text("name,price\nMug,3\nBig Mug,4\n", encoding="utf-8")
    (root / "lamps.csv").write_text("name,price\nDesk Lamp,30\n", encoding="utf-8")
    root_logger = logging.getLogger()
    quiet = logging.NullHandler()  # so the CLI's logging.basicConfig never binds a test stream
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        for name in [n for n in os.environ if n.startswith("CONTENTGEN_")]:
            patch.delenv(name)
        patch.setattr(
            "contentgen.checks.diversity._embeddings_installed", lambda: False
        )
        root_logger.addHandler(quiet)
        try:
            yield root
        finally:
            root_logger.removeHandler(quiet)
            for target in (logging.getLogger("contentgen"), *root_logger.handlers):
                for found in [f for f in target.filters if isinstance(f, PiiLogFilter)]:
                    target.removeFilter(found)


@pytest.fixture
def no_model_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any generator load fails the run: input errors must surface before it."""

    def refuse(self: Generator) -> None:
        raise AssertionError(f"{self.id} was loaded before the input was checked")

    monkeypatch.setattr(Generator, "load", refuse)


def _run(home: Path, *argv: str, config: str = "contentgen.toml") -> tuple[int, str]:
    code, output, escaped = run_cli(["--config", str(home / config), *argv])
    assert escaped is None, f"{argv!r} raised {escaped!r}"
    assert "Traceback" not in output, output
    return code, output


# (--param value, what the error names): the cases first, then their neighbours.
BAD_PARAMS = [
    ("temperature=hot", "params.temperature: must be a number from 0 (greedy) to 5, got 'hot'"),
    ("temperature=[1]", "params.temperature: must be a number from 0 (greedy) to 5, got '[1]'"),
    ("temperature=nan", "params.temperature: must be a number"),
    ("temperature=NaN", "params.temperature: must be a number"),
    ("temperature=1e999", "params.temperature: must be a number from 0 (greedy) to 5, got inf"),
    ("temperature=-5", "params.temperature: must be a number from 0 (greedy) to 5, got -5"),
    ("max_new_tokens=100000", "params.max_new_tokens: must be a whole number from 1 to 4096"),
    ("max_new_tokens=1.5", "params.max_new_tokens: must be a whole number"),
    ("top_p=0", "params.top_p: must be a number above 0 and at most 1"),
    ('stop=["END", ""]', "params.stop: must be text or a list"),
    ("bogus=1", "params.bogus: is not a sampling parameter of builtin:transformers (valid: "),
    ("seed=3", "'seed' is a field of the request"),
    ("=1", "--param: expected KEY=VALUE, got '=1'"),
    ("k", "--param: expected KEY=VALUE, got 'k'"),
]


@pytest.mark.parametrize(("param", "message"), BAD_PARAMS, ids=[p for p, _ in BAD_PARAMS])
@pytest.mark.usefixtures("no_model_loads")
def test_a_bad_param_exits_2_naming_it_before_any_model_loads(
    home: Path, param: str, message: str
) -> None:
    code, output = _run(home, "generate", "marketing", "--product", "name=Mug", "--param", param)
    assert (code, message in output) == (2, True), output


@pytest.mark.parametrize(
    "argv",
    [
        ["generate", "news-summary", "--article", "Rates rose. Markets fell."],
        ["generate", "customer-service", "--message", "Where is my order?"],
        ["generate", "image", "--class-name", "sneaker"],
        ["batch", "lamps.csv", "--task", "marketing"],
    ],
    ids=["news", "service", "image", "batch"],
)
@pytest.mark.usefixtures("no_model_loads")
def test_every_command_with_param_checks_it_before_loading(home: Path, argv: list[str]) -> None:
    code, output = _run(home, *argv, "--param", "temperature=hot")
    assert (code, "params.temperature: must be a number" in output) == (2, True), output


def test_a_generator_declared_param_is_checked_and_honoured(home: Path) -> None:
    code, output = _run(
        home, "generate", "marketing", "--product", "name=Lamp", *PHRASEBOOK,
        "--param", "season=monsoon",
    )  # fmt: skip
    assert code == 2 and "params.season: input should be 'winter', 'spring'" in output, output
    code, output = _run(
        home, "generate", "marketing", "--product", "name=Lamp", *PHRASEBOOK,
        "--param", "season=summer", "--json",
    )  # fmt: skip
    assert code == 0, output
    (accepted,) = json.loads(output)["outputs"]
    assert accepted["provenance"]["params"]["season"] == "summer"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ('{ temperature = "hot" }', "routes.marketing.params.temperature: must be a number"),
        ("{ max_new_tokens = 0 }", "routes.marketing.params.max_new_tokens: must be a whole"),
        ("{ bogus = 1 }", "routes.marketing.params.bogus: is not a sampling parameter"),
    ],
)
@pytest.mark.usefixtures("no_model_loads")
def test_config_route_params_are_checked_like_request_params(
    home: Path, params: str, message: str
) -> None:
    (home / "bad.toml").write_text(
        f'data_dir = "data"\n[routes.marketing]\nparams = {params}\n', encoding="utf-8"
    )
    code, output = _run(home, "generate", "marketing", "--product", "name=Mug", config="bad.toml")
    assert (code, message in output) == (2, True), output


@pytest.mark.parametrize("name", ["name=", "name=   ", "title= "])
@pytest.mark.usefixtures("no_model_loads")
def test_a_blank_product_name_exits_2(home: Path, name: str) -> None:
    code, output = _run(home, "generate", "marketing", "--product", name)
    field = name.split("=")[0]
    assert (code, f"product.{field}: must not be empty" in output) == (2, True), output


def test_a_generate_run_with_nothing_accepted_exits_4_and_keeps_the_rejected(home: Path) -> None:
    code, output = _run(
        home, "generate", "marketing", "--product", "name=Mug", *PHRASEBOOK, "--json"
    )
    assert code == NoAcceptedOutputError.exit_code == 4, output
    assert "error: no output was accepted for request" in output
    result = json.loads(output[: output.rindex("}") + 1])
    assert result["outputs"] == [] and result["rejected"]
    assert all("banned term 'mug'" in r["reason"] for r in result["rejected"])
    code, shown = _run(home, "show", result["rejected"][0]["id"])
    assert code == 0 and "rejected" in shown, shown


def test_a_generate_run_with_an_accepted_output_exits_0(home: Path) -> None:
    code, output = _run(home, "generate", "marketing", "--product", "name=Lamp", *PHRASEBOOK)
    assert code == 0 and "1 output(s)" in output, output


def test_a_batch_where_no_row_is_accepted_exits_4_and_a_good_one_0(home: Path) -> None:
    argv = ["--task", "marketing", "--generator", "seasonal:phrasebook", "--variants", "1"]
    code, output = _run(home, "batch", "mugs.csv", *argv)
    assert code == 4 and "error: no output was accepted for job mugs" in output, output
    assert "2 failed" in output
    code, output = _run(home, "batch", "lamps.csv", *argv)
    assert code == 0 and "1 accepted variants" in output, output


def test_the_param_help_lists_every_common_parameter(home: Path) -> None:
    code, output = _run(home, "generate", "marketing", "--help")
    assert code == 0
    flat = " ".join(output.split())
    assert all(name in flat for name in COMMON_PARAMS), flat


@pytest.mark.parametrize(
    ("param", "stop"), [('stop=["###", "END"]', ["###", "END"]), ("stop=[]", [])]
)
def test_a_json_list_of_texts_is_passed_as_a_list(home: Path, param: str, stop: list[str]) -> None:
    code, output = _run(
        home, "generate", "marketing", "--product", "name=Lamp", *PHRASEBOOK, "--param", param,
        "--json",
    )  # fmt: skip
    assert code == 0, output
    assert json.loads(output)["outputs"][0]["provenance"]["params"]["stop"] == stop
