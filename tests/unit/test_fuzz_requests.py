"""Fuzzed request payloads build a request or raise ValidationError, never another exception."""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contentgen.checks.channels import CHANNELS
from contentgen.errors import ValidationError
from contentgen.requests_io import request_from_dict
from contentgen.tasks.registry import builtin_tasks
from contentgen.types import (
    SUMMARY_METHODS,
    SUMMARY_STYLES,
    TONES,
    BaseRequest,
    Task,
)
from tests.fuzzing import examples

REQUEST_TYPES = {spec.name: spec.request_type for spec in builtin_tasks()}

KEYS = ["product", "message", "article", "prompt", "task", "seed", "variants", "params", "channel"]
FUZZ = settings(max_examples=examples(80), suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        ["", " ", "search_ad", "email", "friendly", "brief", "auto", "name", "\x00", "\u202e"]
    ),
    st.binary(max_size=8),
    st.complex_numbers(max_magnitude=10),
    st.just(object()),
    st.just(float("nan")),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.frozensets(st.integers(), max_size=3),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.integers(), st.none()), inner, max_size=4
        ),
        st.dictionaries(st.text(max_size=8), inner, max_size=4).map(MappingProxyType),
    ),
    max_leaves=6,
)


def _fields(cls: type[BaseRequest]) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.init]


def _required(cls: type[BaseRequest]) -> list[str]:
    missing = dataclasses.MISSING
    return [f.name for f in _fields(cls) if f.default is missing and f.default_factory is missing]


_text = st.text(min_size=1, max_size=30)
_maybe_text = st.one_of(st.none(), _text)
# Values that pass each field's own check, so fuzzing reaches the checks after it.
VALID: dict[str, st.SearchStrategy[Any]] = {
    "generator": st.one_of(st.none(), st.just("testing:echo")),
    "template": st.one_of(st.none(), st.just("marketing/search_ad")),
    "params": st.dictionaries(
        st.text(min_size=1, max_size=8), st.one_of(st.integers(), st.floats(allow_nan=False))
    ),
    "seed": st.one_of(st.none(), st.integers(0, 2**32 - 1)),
    "product": st.dictionaries(
        st.sampled_from(["name", "title", "price", "tags"]), values, min_size=1
    ).map(lambda d: {"name": "Mug", **d}),
    "channel": st.sampled_from(sorted(CHANNELS)),
    "audience": _maybe_text,
    "tone": st.sampled_from(TONES),
    "variants": st.integers(1, 16),
    "article": _text,
    "title": _maybe_text,
    "target_words": st.integers(5, 400),
    "style": st.sampled_from(SUMMARY_STYLES),
    "method": st.sampled_from(SUMMARY_METHODS),
    "message": _text,
    "context": st.dictionaries(st.text(min_size=1, max_size=8), values, max_size=3),
    "policy": _maybe_text,
    "prompt": _maybe_text,
    "class_name": _maybe_text,
    "count": st.integers(1, 64),
    "negative_prompt": _maybe_text,
    "width": st.one_of(st.none(), st.integers(8, 4096)),
    "height": st.one_of(st.none(), st.integers(8, 4096)),
    "steps": st.one_of(st.none(), st.integers(1, 1000)),
    "guidance": st.one_of(st.none(), st.floats(0, 50)),
}


@st.composite
def payloads(draw: st.DrawFn, cls: type[BaseRequest]) -> dict[str, Any]:
    """Every required field plus random optional ones, all valid except (usually) one wild value."""
    names = [f.name for f in _fields(cls)]
    chosen = sorted(
        set(_required(cls)) | set(draw(st.lists(st.sampled_from(names), max_size=len(names))))
    )
    go_wild: int = draw(st.integers(0, 4))
    wild: set[str] = {draw(st.sampled_from(chosen))} if chosen and go_wild else set()
    return {
        name: draw(values if name in wild or name not in VALID else VALID[name]) for name in chosen
    }


def _construct(cls: type[BaseRequest], payload: Mapping[str, Any]) -> BaseRequest | None:
    try:
        request = cls(**payload)
    except ValidationError:
        return None
    # A request that validated must be usable: n, variables() and frozen mappings.
    assert request.n >= 1
    variables = request.variables()
    assert isinstance(variables, dict)
    for value in request.params.values():
        assert not (isinstance(value, float) and not math.isfinite(value))
    return request


@pytest.mark.parametrize("cls", list(REQUEST_TYPES.values()), ids=lambda c: c.__name__)
def test_request_constructors_raise_only_validation_errors(cls: type[BaseRequest]) -> None:
    @FUZZ
    @given(payloads(cls))
    def check(payload: dict[str, Any]) -> None:
        _construct(cls, payload)

    check()


@FUZZ
@given(
    st.sampled_from([*builtin_tasks().names(), "news-summary", "bogus", "", "Not A Task!"]),
    st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), values, max_size=6),
)  # fmt: skip
def test_request_from_dict_raises_only_validation_errors(task: str, data: dict[str, Any]) -> None:
    with contextlib.suppress(ValidationError):
        request_from_dict(task, data)


@settings(max_examples=examples(60))
@given(
    st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), min_size=1, max_size=5)
)
def test_valid_marketing_payloads_are_accepted_and_frozen(product: dict[str, str]) -> None:
    product = {"name": "Mug", **product}
    request = _construct(REQUEST_TYPES[Task.MARKETING], {"product": product, "variants": 2})
    assert request is not None and request.n == 2
    assert dict(request.product) == product  # type: ignore[attr-defined]


def test_bugs_found_by_fuzzing_stay_fixed() -> None:
    # An unhashable channel raised TypeError from the CHANNELS lookup; a non-text negative
    # prompt was accepted.
    with pytest.raises(ValidationError, match="channel: unknown channel"):
        REQUEST_TYPES[Task.MARKETING](product={"name": "Mug"}, channel=[])  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="negative_prompt: must be text"):
        REQUEST_TYPES[Task.IMAGE](prompt="a mug", negative_prompt=5)  # type: ignore[call-arg]
