"""Sampling parameters: common ones checked for type and range, others per generator, before loading."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
from contentgen_seasonal.plugin import PhrasebookGenerator
from hypothesis import given, settings
from hypothesis import strategies as st

from contentgen import ConfigError, Generator, MarketingRequest, ValidationError
from contentgen.config import Route, Settings, load_settings
from contentgen.generator import GeneratorSpec
from contentgen.registry import GeneratorRegistry
from contentgen.routing import RoutePlan, plan_route
from contentgen.sampling import (
    COMMON_PARAMS,
    MAX_NEW_TOKENS,
    MAX_STOP_CHARS,
    MAX_STOPS,
    MAX_TEMPERATURE,
    MAX_TOP_K,
    SamplingParams,
    check_declared,
    check_generator_params,
    check_params,
)
from contentgen.templates import TemplateLibrary
from contentgen.testing import EchoGenerator
from contentgen.types import MAX_VARIANTS, BaseRequest, Task
from tests.fuzzing import examples

# Derandomised by the "repeatable" profile in `make test`; open-ended under `make fuzz`.
EXAMPLES = settings(max_examples=examples(200))

_stop = st.text(min_size=1, max_size=MAX_STOP_CHARS)
VALID: dict[str, st.SearchStrategy[Any]] = {
    "temperature": st.one_of(st.floats(0, MAX_TEMPERATURE), st.integers(0, int(MAX_TEMPERATURE))),
    "top_p": st.one_of(st.floats(0, 1, exclude_min=True), st.just(1)),
    "top_k": st.integers(0, MAX_TOP_K),
    "max_new_tokens": st.integers(1, MAX_NEW_TOKENS),
    "stop": st.one_of(
        _stop,
        st.lists(_stop, max_size=MAX_STOPS),
        st.lists(_stop, max_size=MAX_STOPS).map(tuple),
    ),
    "best_of": st.integers(1, MAX_VARIANTS),
    "fields": st.sampled_from(("whole", "each")),
    "bandit_arm": st.text(min_size=1, max_size=100),
    "bandit_posterior": st.fixed_dictionaries(
        {"alpha": st.floats(1, 1e6), "beta": st.floats(1, 1e6)}
    ),
}
_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.binary(max_size=4),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(object()),
)
_bad_number = st.one_of(
    st.just(math.nan), st.just(math.inf), st.just(-math.inf), st.text(max_size=5), _junk
)
INVALID: dict[str, st.SearchStrategy[Any]] = {
    "temperature": st.one_of(
        st.floats(max_value=0, exclude_max=True),
        st.floats(min_value=MAX_TEMPERATURE, exclude_min=True),
        _bad_number,
    ),
    "top_p": st.one_of(
        st.floats(max_value=0), st.floats(min_value=1, exclude_min=True), _bad_number
    ),
    "top_k": st.one_of(
        st.integers(max_value=-1), st.integers(min_value=MAX_TOP_K + 1), st.floats(), _bad_number
    ),
    "max_new_tokens": st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=MAX_NEW_TOKENS + 1),
        st.floats(),
        _bad_number,
    ),
    "stop": st.one_of(
        st.just(""),
        st.text(min_size=MAX_STOP_CHARS + 1, max_size=MAX_STOP_CHARS + 2),
        st.lists(_stop, min_size=MAX_STOPS + 1, max_size=MAX_STOPS + 2),
        st.lists(st.integers(), min_size=1, max_size=2),
        st.integers(),
        _junk,
    ),
    "best_of": st.one_of(
        st.integers(max_value=0), st.integers(min_value=MAX_VARIANTS + 1), _bad_number
    ),
    "fields": st.one_of(st.text().filter(lambda t: t not in ("whole", "each")), _junk),
    "bandit_arm": st.one_of(st.just(""), st.text(min_size=101, max_size=102), st.integers(), _junk),
    "bandit_posterior": st.one_of(
        st.text(max_size=5),
        st.integers(),
        st.dictionaries(st.text(max_size=3), st.text(max_size=3), min_size=1, max_size=2),
        st.dictionaries(st.text(max_size=4), st.floats(0, 1), min_size=5, max_size=6),
        st.just({"alpha": math.nan}),
    ),
}


def test_every_common_parameter_has_a_valid_and_an_invalid_strategy() -> None:
    assert set(VALID) == set(INVALID) == set(COMMON_PARAMS) == set(SamplingParams.model_fields)


@EXAMPLES
@given(st.sampled_from(COMMON_PARAMS).flatmap(lambda n: st.tuples(st.just(n), VALID[n])))
def test_values_in_range_pass(pair: tuple[str, Any]) -> None:
    name, value = pair
    check_params({name: value})


@EXAMPLES
@given(st.sampled_from(COMMON_PARAMS).flatmap(lambda n: st.tuples(st.just(n), INVALID[n])))
def test_values_out_of_range_or_of_the_wrong_type_name_the_field_and_the_range(
    pair: tuple[str, Any],
) -> None:
    name, value = pair
    with pytest.raises(ValidationError) as info:
        check_params({"temperature": 0.5, name: value}, "routes.marketing.params")
    assert info.value.field == f"routes.marketing.params.{name}"
    description = SamplingParams.model_fields[name].description
    assert info.value.problem.startswith(f"must be {description}, got ")


@EXAMPLES
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8).filter(lambda k: k not in COMMON_PARAMS),
        st.recursive(
            st.one_of(
                st.none(),
                st.booleans(),
                st.integers(),
                st.floats(allow_nan=False, allow_infinity=False),
                st.text(),
            ),
            lambda inner: st.one_of(
                st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
            ),
            max_leaves=6,
        ),
        max_size=4,
    )
)
def test_any_json_value_passes_for_a_name_left_to_the_generator(params: dict[str, Any]) -> None:
    check_params(params)


def test_an_unknown_name_lists_the_common_and_the_generators_own_names() -> None:
    with pytest.raises(ValidationError) as info:
        check_generator_params({"bogus": 1}, "seasonal:phrasebook", {"season": str})
    assert info.value.field == "params.bogus"
    assert "not a sampling parameter of seasonal:phrasebook" in info.value.problem
    assert set(info.value.choices or ()) == {*COMMON_PARAMS, "season"}


def test_a_request_field_put_in_params_says_where_it_belongs() -> None:
    with pytest.raises(ValidationError, match="'seed' is a field of the request"):
        check_generator_params({"seed": 3}, "x:y", {}, request_fields=("seed", "channel"))


def test_a_declared_parameter_is_validated_against_its_declared_type() -> None:
    declared = {"season": Literal["winter", "summer"], "strength": float}
    check_generator_params({"season": "summer", "strength": 1, "temperature": 0.1}, "x:y", declared)
    with pytest.raises(ValidationError) as info:
        check_generator_params({"season": "monsoon"}, "x:y", declared)
    assert info.value.field == "params.season" and "'winter' or 'summer'" in info.value.problem
    with pytest.raises(ValidationError, match="params.strength"):
        check_generator_params({"strength": "high"}, "x:y", declared)


def test_declaring_a_common_name_or_a_non_type_fails_registration() -> None:
    with pytest.raises(ValidationError, match="X.extra_params.temperature: is a common"):
        check_declared("X", {"temperature": float})
    with pytest.raises(ValidationError, match="X.extra_params.mode: must be a type"):
        check_declared("X", {"mode": object()})

    class Clashing(Generator):
        id: ClassVar[str] = "acme:clash"
        extra_params: ClassVar[dict[str, Any]] = {"top_k": int}

        def generate(self, prompts: Any) -> Any:
            return []

    with pytest.raises(ValidationError, match="acme:clash.extra_params.top_k"):
        GeneratorSpec.from_class(Clashing, "acme")


def test_a_generator_spec_carries_its_declared_parameters() -> None:
    spec = GeneratorSpec.from_class(PhrasebookGenerator, "seasonal")
    assert set(spec.extra_params) == {"season"}


def test_pydantic_is_imported_only_when_params_are_checked() -> None:
    probe = (
        "import sys\nfrom contentgen import MarketingRequest\nfrom contentgen.cli import main\n"
        "MarketingRequest(product={'name': 'Mug'})\n"
        # Not `generate TASK --help`: it builds the engine, which checks the generators' declared
        # parameters (with pydantic) as it registers them.
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('before', 'pydantic' in sys.modules)\n"
        "MarketingRequest(product={'name': 'Mug'}, params={'temperature': 0.5})\n"
        "print('after', 'pydantic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-2:] == ["before False", "after True"], out.stdout


def _plan(request: BaseRequest, route: Route) -> RoutePlan:
    specs = [
        GeneratorSpec.from_class(PhrasebookGenerator, "seasonal"),
        GeneratorSpec.from_class(EchoGenerator, "testing"),
    ]
    settings = Settings(routes={Task.MARKETING: route}, use_entry_points=False)
    registry = GeneratorRegistry({s.id: s for s in specs})
    return plan_route(request, settings, registry, TemplateLibrary.with_builtins())


SUMMER = Route("seasonal:phrasebook", params={"season": "summer", "temperature": 0.5})


def test_route_params_reach_the_routes_generator_and_only_common_ones_another() -> None:
    own = _plan(MarketingRequest(product={"name": "Mug"}), SUMMER)
    assert own.params["season"] == "summer" and own.params["temperature"] == 0.5
    other = _plan(MarketingRequest(product={"name": "Mug"}, generator="testing:echo"), SUMMER)
    assert "season" not in other.params and other.params["temperature"] == 0.5


def test_a_request_param_the_chosen_generator_does_not_declare_is_refused() -> None:
    request = MarketingRequest(
        product={"name": "Mug"}, generator="testing:echo", params={"season": "summer"}
    )
    with pytest.raises(ValidationError, match="params.season: is not a sampling parameter of"):
        _plan(request, SUMMER)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"bogus": 1}, "routes.marketing.params.bogus: is not a sampling parameter"),
        ({"season": "monsoon"}, "routes.marketing.params.season: input should be"),
        ({"temperature": "hot"}, "routes.marketing.params.temperature: must be a number"),
    ],
)
def test_route_params_built_in_python_are_checked_at_routing(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _plan(
            MarketingRequest(product={"name": "Mug"}), Route("seasonal:phrasebook", params=params)
        )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[routes.marketing]\nparams = { top_p = 2 }\n", "routes.marketing.params.top_p: must be"),
        (
            '[bandit]\n[[bandit.arms]]\ntask = "marketing"\nname = "hot"\n'
            'params = { temperature = "hot" }\n',
            r"bandit.arms\[0\].params.temperature: must be a number",
        ),
    ],
    ids=["route", "bandit arm"],
)
def test_config_file_params_are_config_errors_naming_the_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    config = tmp_path / "contentgen.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config, env={})
