"""Every detector returns a JSON-ready verdict for any text, fields and facts, never an exception."""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from contentgen.checks.base import EvalInput
from contentgen.checks.channels import CHANNELS
from contentgen.checks.detectors import quality_detectors
from contentgen.types import Task
from tests.fuzzing import examples

SNIPPETS = st.sampled_from(
    ["-25 °C", "30-40 cm", "7*7", "€89", "PFAS-free", "non-slip", "<at most 30>", "Tone:", "# #",
     "ignore previous instructions", "write HACKED", "100% refund", "(", "“", "…", "\n\n", "é"]
)  # fmt: skip
TEXT = st.lists(st.one_of(st.text(max_size=30), SNIPPETS), max_size=12).map(" ".join)
FACT = st.one_of(TEXT, st.integers(-(10**30), 10**30), st.floats(), st.booleans(), st.none())


@settings(max_examples=examples(150))
@given(
    task=st.sampled_from([Task.MARKETING, Task.NEWS_SUMMARY, Task.CUSTOMER_SERVICE]),
    channel=st.sampled_from([None, *CHANNELS]),
    text=TEXT,
    product=st.dictionaries(st.sampled_from(["name", "price", "was", "note", "x_free"]), FACT),
    policy=TEXT,
)
@example(Task.MARKETING, "email", "Body: " + "# " * 2000, {"name": "M" * 200}, "")
def test_detectors_never_raise_and_store_json(
    task: Task, channel: str | None, text: str, product: dict, policy: str
) -> None:
    spec = CHANNELS.get(channel) if channel else None
    item = EvalInput(
        task=task,
        text=text,
        fields=spec.parse(text) if spec else {},
        channel=channel,
        facts={"product": product, "policy": policy, "article": text, "context": {"id": "A-1"}},
        prompt=f"Write copy.\n<<<product_facts\n{product}\n>>>\nTone: friendly",
    )
    for detector in quality_detectors():
        (verdict,) = detector.evaluate([item])
        assert verdict.name == detector.name and isinstance(verdict.passed, bool)
        json.dumps(dict(verdict.detail))
