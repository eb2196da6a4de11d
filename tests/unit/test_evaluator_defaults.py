"""The default evaluator set, its plugin registration, and its import cost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from contentgen.checks import builtin
from contentgen.checks.base import EvalInput, Evaluator, failed_gates, run_evaluators
from contentgen.checks.defaults import default_evaluators
from contentgen.plugins import load_plugins
from contentgen.types import Task

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "brand_kit.toml"
DETECTORS = [
    "leaks",
    "repetition",
    "truncation",
    "name_fidelity",
    "polarity",
    "numbers",
    "number_sense",
    "policy",
    "instructions",
    "meta_commentary",
    "example_words",
    "attributes",
    "off_topic",
    "unsupported_claims",
    "benefits",
    "purpose",
    "spec_claims",
    "hashtags",
    "form",
    "articles",
    "agreement",
    "tone",
    "spelling",
]
ORDER = [
    "channel",
    "grounding",
    *DETECTORS,
    "stereotypes",
    "sentiment",
    "offensive",
    "output_guard",
    "readability",
    "diversity",
]
GATES = {"channel", "brand", "grounding", "offensive", "output_guard", *DETECTORS}


def test_default_set_names_order_and_gates() -> None:
    plain = default_evaluators(None, embeddings=False)
    assert [e.name for e in plain] == ORDER
    with_kit = default_evaluators(EXAMPLE, embeddings=False)
    assert [e.name for e in with_kit] == ORDER[:1] + ["brand"] + ORDER[1:]
    assert all(isinstance(e, Evaluator) for e in with_kit)
    assert {e.name for e in with_kit if e.gate} == GATES


def test_the_builtin_evaluator_plugin_registers_the_default_set() -> None:
    registered: list[Evaluator] = []
    builtin.register_evaluators(register=registered.append)
    assert [e.name for e in registered] == ORDER  # no brand: the engine adds it from settings
    plugins = load_plugins((), use_entry_points=False)  # the built-in plugin brings them along
    assert [e.name for e in plugins.evaluators] == ORDER
    assert plugins.infos["builtin"].evaluators == tuple(ORDER)


def test_run_evaluators_rejects_a_bad_variant_and_keeps_a_good_one() -> None:
    facts = {"product": {"name": "Trail Runner Pro", "price": "€89", "category": "footwear"}}
    good = "Headline: Trail Runner Pro\nDescription: Light, grippy and just €89 for the trail."
    bad = "Headline: Trail Runner Pro\nDescription: Only €59, you idiot, what are you waiting for?"
    items = [
        EvalInput(task=Task.MARKETING, text=t, channel="search_ad", facts=facts, siblings=(o,))
        for t, o in ((good, bad), (bad, good))
    ]
    evaluators = default_evaluators(EXAMPLE, embeddings=False)
    gates = {e.name: e.gate for e in evaluators}
    good_verdicts, bad_verdicts = run_evaluators(evaluators, items)
    # Every evaluator judges ad copy except policy, which reads customer-service replies only.
    assert [v.name for v in good_verdicts] == [e.name for e in evaluators if e.name != "policy"]
    assert failed_gates(good_verdicts, gates) == []
    # The invented €59 is the numbers detector's to reject (grounding leaves numbers to it).
    assert {v.name for v in failed_gates(bad_verdicts, gates)} == {"numbers", "offensive"}
    for verdict in good_verdicts + bad_verdicts:  # stored as JSON beside the output
        json.dumps({"score": verdict.score, "detail": dict(verdict.detail)})


def test_importing_and_running_the_defaults_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "import contentgen.checks.defaults as ev\n"
        "from contentgen.checks import builtin\n"
        "light = not {'numpy', 'sklearn', 'vaderSentiment'} & set(sys.modules)\n"
        "from contentgen.checks.base import EvalInput, run_evaluators\n"
        "from contentgen.types import Task\n"
        "pairs = (('Hello there friend', 'Bye now'), ('Bye now', 'Hello there friend'))\n"
        "items = [EvalInput(task=Task.MARKETING, text=t, channel='sms', siblings=(o,))\n"
        "         for t, o in pairs]\n"
        "verdicts = run_evaluators(ev.default_evaluators(None, embeddings=False), items)\n"
        "offensive = [v for v in verdicts[0] if v.name == 'offensive']\n"
        "print(light, 'torch' in sys.modules, offensive[0].score is not None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "True"]
