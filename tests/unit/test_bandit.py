"""The bandit without a database: Thompson sampling converges, outcomes aggregate, TOML arms."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from contentgen.config import load_settings
from contentgen.engine import Engine
from contentgen.errors import ConfigError
from contentgen.feedback.arms import BanditArm
from contentgen.feedback.bandit import beliefs, beta_interval, compute_records, thompson_choice
from contentgen.storage.feedback import ArmOutcome
from contentgen.types import Task


def _run(true_rates: dict[str, float], pulls: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    world = random.Random(seed + 1)
    counts = {name: [1.0, 1.0] for name in true_rates}
    chosen = []
    for _ in range(pulls):
        name = thompson_choice([(n, a, b) for n, (a, b) in counts.items()], rng)
        success = world.random() < true_rates[name]
        counts[name][0 if success else 1] += 1
        chosen.append(name)
    return chosen


def test_allocation_moves_toward_the_best_arm() -> None:
    early, late = [], []
    for seed in range(5):
        chosen = _run({"plain": 0.2, "price": 0.4, "full": 0.7}, pulls=600, seed=seed)
        early.append(chosen[:20].count("full") / 20)
        late.append(chosen[-200:].count("full") / 200)
        assert late[-1] > 0.85, f"seed {seed}: best arm got {late[-1]:.0%} of the last 200 pulls"
    assert sum(late) / 5 > sum(early) / 5 + 0.2, (early, late)


def test_thompson_choice_is_reproducible_with_a_seed() -> None:
    posteriors = [("a", 3.0, 5.0), ("b", 4.0, 4.0), ("c", 1.0, 1.0)]
    first = [thompson_choice(posteriors, random.Random(7)) for _ in range(5)]
    assert first == [thompson_choice(posteriors, random.Random(7)) for _ in range(5)]


def test_records_count_successes_failures_and_keep_unused_configured_arms() -> None:
    outcomes = [
        ArmOutcome("marketing", "sms", "warm", True, 5),
        ArmOutcome("marketing", "sms", "warm", False, 3),
        ArmOutcome("marketing", "sms", "warm", True, None),  # a won preference
        ArmOutcome("marketing", "email", "warm", False, 1),
    ]
    arms = [
        BanditArm(task=Task.MARKETING, name="warm", params={"temperature": 0.6}),
        BanditArm(task=Task.MARKETING, name="cool", params={"temperature": 1.0}),
    ]
    records = compute_records(outcomes, {("marketing", "sms", "warm"): 4}, arms)
    by_key = {(r.context, r.arm): r for r in records}
    warm = by_key[("sms", "warm")]
    assert (warm.successes, warm.failures, warm.pulls, warm.mean_score) == (2, 1, 4, 4.0)
    assert by_key[("email", "warm")].failures == 1
    assert by_key[("*", "cool")].pulls == 0  # configured, never used: shown with the uniform prior
    (belief,) = [b for b in beliefs(records) if b.context == "sms"]
    assert belief.mean == pytest.approx(3 / 5)


def test_beta_interval_of_the_uniform_prior() -> None:
    low, high = beta_interval(1, 1)
    assert low == pytest.approx(0.025, abs=1e-3) and high == pytest.approx(0.975, abs=1e-3)


def test_arms_parse_from_contentgen_toml(tmp_path: Path) -> None:
    config = tmp_path / "contentgen.toml"
    config.write_text(
        """
rerank = true
rerank_best_of = 6

[bandit]
[[bandit.arms]]
task = "marketing"
name = "warm"
template = "marketing/sms"
params = { temperature = 0.6 }

[[bandit.arms]]
task = "customer-service"
name = "careful"
params = { temperature = 0.2 }
""",
        encoding="utf-8",
    )
    settings = load_settings(config, env={})
    assert settings.bandit is True and settings.rerank is True and settings.rerank_best_of == 6
    warm, careful = settings.bandit_arms
    assert (
        warm.task == Task.MARKETING
        and warm.template == "marketing/sms"
        and warm.params["temperature"] == 0.6
    )
    assert careful.task == Task.CUSTOMER_SERVICE


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[bandit.arms]]\ntask = "marketing"\nname = "a"\ncolour = "red"\n',
            "unknown key 'colour'",
        ),
        (
            '[[bandit.arms]]\ntask = "poetry!"\nname = "a"\nparams = {x = 1}\n',
            "'poetry!' is not a task name",
        ),
        (
            '[[bandit.arms]]\ntask = "marketing"\nname = "a"\n',
            "must set a generator, a template or params",
        ),
        (
            '[[bandit.arms]]\ntask = "marketing"\nname = "a"\nparams = {x = 1}\n'
            '[[bandit.arms]]\ntask = "marketing"\nname = "a"\nparams = {x = 2}\n',
            "defined twice",
        ),
    ],
)
def test_bad_arm_config_names_the_problem(tmp_path: Path, body: str, message: str) -> None:
    config = tmp_path / "contentgen.toml"
    config.write_text("[bandit]\n" + body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config, env={})


def test_an_arm_for_an_unknown_task_fails_when_the_engine_knows_the_tasks(tmp_path: Path) -> None:
    config = tmp_path / "contentgen.toml"
    config.write_text(
        '[bandit]\n[[bandit.arms]]\ntask = "poetry"\nname = "a"\nparams = {x = 1}\n',
        encoding="utf-8",
    )
    load_settings(config, env={})  # a plugin could add the task: the file alone cannot tell
    with pytest.raises(ConfigError, match="bandit.arms: unknown task 'poetry' .*marketing"):
        Engine.from_config(config, use_entry_points=False)


@pytest.mark.parametrize(
    ("line", "enabled"),
    [("bandit = true", True), ("bandit = false", False), ("[bandit]\nenabled = true", True)],
)
def test_a_boolean_or_a_table_switches_the_bandit(tmp_path: Path, line: str, enabled: bool) -> None:
    config = tmp_path / "contentgen.toml"
    config.write_text(line + "\n", encoding="utf-8")
    settings = load_settings(config, env={})
    assert settings.bandit is enabled
    assert settings.bandit_arms == (), "no arms of its own: the engine fills in the default arms"


@pytest.mark.parametrize(
    "line",
    ['bandit = "yes"', "bandit = 1", 'bandit = ["marketing"]', '[bandit]\nenabled = "on"'],
)
def test_a_bad_bandit_value_names_the_valid_forms(tmp_path: Path, line: str) -> None:
    config = tmp_path / "contentgen.toml"
    config.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"true(, | or )false") as caught:
        load_settings(config, env={})
    assert str(config) in str(caught.value), "the message says which file to fix"
