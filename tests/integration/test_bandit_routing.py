"""Bandit routing in the engine: arms fill unnamed routes, are recorded, learn from ratings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from contentgen import Engine, MarketingRequest
from contentgen.errors import ConfigError, ValidationError
from contentgen.feedback.arms import BanditArm
from contentgen.feedback.bandit import refresh_arms
from contentgen.storage.feedback import FeedbackStore
from contentgen.types import CustomerServiceRequest, Task

ARMS = (
    BanditArm(
        task=Task.MARKETING, name="warm", template="marketing/sms", params={"temperature": 0.6}
    ),
    BanditArm(
        task=Task.MARKETING, name="cool", generator="testing:echo", params={"temperature": 1.0}
    ),
    BanditArm(task=Task.MARKETING, name="mailer", template="marketing/email"),
)


@pytest.fixture
def bandit_engine(engine: Engine) -> Engine:
    """The fast engine with three marketing arms (one only fits the email channel)."""
    return Engine(
        engine.settings.with_overrides(bandit=True, bandit_arms=ARMS), engine.plugins, evaluators=[]
    )


def _sms(seed: int, **extra: object) -> MarketingRequest:
    return MarketingRequest(
        product={"name": f"Lamp {seed}"}, channel="sms", variants=1, seed=seed, **extra
    )


def test_arms_are_chosen_recorded_and_learned_from_ratings(bandit_engine: Engine) -> None:
    engine = bandit_engine
    first = [engine.generate(_sms(seed)).outputs[0] for seed in range(30)]
    arms = Counter(o.provenance.params["bandit_arm"] for o in first)
    assert set(arms) == {"warm", "cool"}, "the email-only arm never serves an SMS request"
    for output in first:
        if output.provenance.params["bandit_arm"] == "warm":
            assert output.provenance.template_id == "marketing/sms"
            assert output.provenance.params["temperature"] == 0.6
        good = output.provenance.params["bandit_arm"] == "warm"
        engine.rate(output.id, rater="ana", thumb="up" if good else "down")

    later = Counter(
        engine.generate(_sms(100 + seed)).outputs[0].provenance.params["bandit_arm"]
        for seed in range(20)
    )
    assert later["warm"] >= 18, later
    stored = {(r.context, r.arm): r for r in FeedbackStore(engine.store).load_arms()}
    assert stored[("sms", "warm")].successes == arms["warm"], "the router persisted what it learned"
    assert stored[("sms", "cool")].failures == arms["cool"]
    refresh_arms(engine.store, ARMS)  # what `bandit show` and the report do: pulls are current too
    stored = {(r.context, r.arm): r for r in FeedbackStore(engine.store).load_arms()}
    assert stored[("sms", "warm")].pulls == arms["warm"] + later["warm"]
    assert stored[("*", "mailer")].pulls == 0
    engine.close()


def test_explicit_choices_bypass_or_pin_the_bandit(bandit_engine: Engine) -> None:
    engine = bandit_engine
    named = engine.generate(_sms(1, template="marketing/sms")).outputs[0]
    assert "bandit_arm" not in named.provenance.params
    pinned = engine.generate(_sms(2, params={"bandit_arm": "cool"})).outputs[0]
    assert pinned.provenance.params["bandit_arm"] == "cool"
    with pytest.raises(ValidationError, match="unknown arm 'hot'.*'cool', 'warm'"):
        engine.generate(_sms(3, params={"bandit_arm": "hot"}))
    reply = engine.generate(CustomerServiceRequest(message="Where is my order?", seed=1)).outputs[0]
    assert "bandit_arm" not in reply.provenance.params, "no arms configured for customer service"
    engine.close()


def test_an_arm_naming_an_unknown_template_fails_clearly(engine: Engine) -> None:
    bad = (BanditArm(task=Task.MARKETING, name="typo", template="marketing/smss"),)
    broken = Engine(
        engine.settings.with_overrides(bandit=True, bandit_arms=bad), engine.plugins, evaluators=[]
    )
    with pytest.raises(ConfigError, match="unknown template 'marketing/smss'.*marketing/sms"):
        broken.generate(_sms(1))
    broken.close()


def test_bandit_true_routes_over_the_templates_of_each_channel(
    engine: Engine, tmp_path: Path
) -> None:
    mine = tmp_path / "my_templates"
    (mine / "marketing").mkdir(parents=True)
    (mine / "marketing" / "sms_short.j2").write_text(
        '+++\ndescription = "A shorter SMS"\nchannel = "sms"\n+++\nSMS for {{ product.name }}.\n',
        encoding="utf-8",
    )
    settings = engine.settings.with_overrides(bandit=True, template_dirs=(mine,))
    with Engine(settings, engine.plugins, evaluators=[]) as on:
        arms = {(a.name, a.template, a.channel) for a in on.settings.bandit_arms}
        assert ("sms_short", "marketing/sms_short", "sms") in arms
        assert ("search_ad", "marketing/search_ad", "search_ad") in arms
        assert {a.task for a in on.settings.bandit_arms} == {Task.MARKETING}
        picked = Counter(
            on.generate(_sms(seed)).outputs[0].provenance.params["bandit_arm"] for seed in range(12)
        )
        assert set(picked) == {"sms", "sms_short"}, "both SMS templates are tried, no other"
