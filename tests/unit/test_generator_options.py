"""A generator's options are one pydantic model: checked on construction, listed for users."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args

import pytest
from pydantic import BaseModel, Field, field_validator

from contentgen.errors import ValidationError
from contentgen.generator import Generator, GeneratorSpec
from contentgen.generator_options import (
    GeneratorOptions,
    PathText,
    describe_options,
    format_default,
    options_model,
)
from contentgen.generators.builtin import register_generators
from contentgen.testing import EchoGenerator, echo_engine
from contentgen.types import Candidate, Prompt


class WidgetOptions(GeneratorOptions):
    """Every kind of option a generator declares."""

    model: PathText = Field("tiny", description="the model folder")
    device: Literal["cpu", "cuda"] = Field("cpu", description="where it runs")
    scale: int = Field(1, ge=1, le=32, description="output size factor")
    weight: float = Field(0.5, gt=0, le=1, description="a mixing weight")
    fast: bool = Field(True, description="use the fast path")
    cache_dir: PathText | None = Field(None, description="where files go")
    secret_env: str | None = Field(None, repr=False, description="an environment variable name")

    @field_validator("model")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a model folder")
        return value


class Widget(Generator):
    """A generator with typed options."""

    id: ClassVar[str] = "test:widget"
    Options = WidgetOptions
    settings: WidgetOptions

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Nothing to generate."""
        return [[] for _ in prompts]


class Legacy(Generator):
    """A plugin written before Options: a plain dict of defaults."""

    id: ClassVar[str] = "test:legacy"
    options: ClassVar[dict[str, Any]] = {"size": 8, "labels": None}

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """Nothing to generate."""
        return [[] for _ in prompts]


def _problem(**options: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        Widget(**options)
    return info.value


def test_options_are_validated_into_settings_and_config() -> None:
    widget = Widget(scale=4, model=Path("/models/tiny"), weight=1)
    assert (widget.settings.scale, widget.settings.model, widget.settings.weight) == (
        4,
        "/models/tiny",
        1.0,
    )
    assert widget.config == {**Widget.options, "scale": 4, "model": "/models/tiny", "weight": 1.0}


def test_the_defaults_are_derived_from_the_model_for_the_engine_and_the_spec() -> None:
    assert Widget.options == {
        "model": "tiny",
        "device": "cpu",
        "scale": 1,
        "weight": 0.5,
        "fast": True,
        "cache_dir": None,
        "secret_env": None,
    }
    assert GeneratorSpec.from_class(Widget, "test").options == Widget.options


@pytest.mark.parametrize(
    ("options", "field", "message", "choices"),
    [
        ({"modle": "x"}, "modle", "is not an option of this generator", WidgetOptions.model_fields),
        ({"device": "tpu"}, "device", "device 'tpu' is an unknown value", ("cpu", "cuda")),
        ({"scale": 0}, "scale", "must be a whole number from 1 to 32, got 0", None),
        ({"scale": 2.5}, "scale", "must be a whole number from 1 to 32, got 2.5", None),
        ({"scale": "4"}, "scale", "must be a whole number from 1 to 32, got '4'", None),
        ({"scale": True}, "scale", "must be a whole number from 1 to 32, got True", None),
        ({"weight": 0}, "weight", "must be a number > 0, <= 1, got 0", None),
        ({"fast": "yes"}, "fast", "must be true or false, got 'yes'", ("true", "false")),
        ({"cache_dir": 3}, "cache_dir", "must be text, got 3", None),
        ({"model": " "}, "model", "must name a model folder", None),
    ],
)
def test_a_bad_option_names_itself_the_problem_and_the_choices(
    options: dict[str, Any], field: str, message: str, choices: Any
) -> None:
    error = _problem(**options)
    assert error.field == f"generators.test:widget.{field}"
    assert error.problem == message
    assert error.choices == (tuple(choices) if choices is not None else None)


def test_a_hidden_option_is_not_echoed_in_the_error() -> None:
    error = _problem(secret_env=12345)
    assert "12345" not in str(error) and "(hidden)" in error.problem


def test_a_model_without_extra_forbid_still_refuses_unknown_names() -> None:
    class Lenient(BaseModel):
        size: int = 1

    class Gen(Widget):
        id: ClassVar[str] = "test:lenient"
        Options = Lenient

    with pytest.raises(ValidationError, match="sise: is not an option"):
        Gen(sise=2)


def test_a_plain_options_dict_still_works_accepting_any_value_for_known_names() -> None:
    legacy = Legacy(labels=["a", "b"], size="big")
    assert legacy.config == {"size": "big", "labels": ["a", "b"]}
    assert Legacy.Options is None and issubclass(options_model(Legacy), BaseModel)
    with pytest.raises(ValidationError, match="not an option") as info:
        Legacy(colour="red")
    assert info.value.choices == ("size", "labels")


def test_a_plain_options_dict_may_use_any_name_as_before(recwarn: pytest.WarningsRecorder) -> None:
    class Odd(Legacy):
        id: ClassVar[str] = "test:odd"
        options: ClassVar[dict[str, Any]] = {"json": 1, "_seed": 0, "model_fields": None}

    assert Odd(json=2, _seed=5).config == {"json": 2, "_seed": 5, "model_fields": None}
    assert [d.name for d in describe_options(Odd)] == ["json", "_seed", "model_fields"]
    assert not [w for w in recwarn if "shadows" in str(w.message)]


def test_a_dict_extending_a_typed_parent_keeps_the_parents_types() -> None:
    class Extended(Widget):  # how plugin authors extended a generator before Options
        id: ClassVar[str] = "test:extended"
        options: ClassVar[dict[str, Any]] = {**Widget.options, "hang_s": 60.0, "scale": 2}

    extended = Extended(hang_s="anything")
    assert (extended.settings.hang_s, extended.settings.scale) == ("anything", 2)
    assert extended.settings.device == "cpu"  # the parent's code reads its options as before
    with pytest.raises(ValidationError, match="scale: must be a whole number from 1 to 32"):
        Extended(scale=0)
    assert Extended.Options is None and Widget.Options is WidgetOptions


def test_a_dict_naming_fewer_options_than_its_typed_parent_is_that_class_s_contract() -> None:
    class Narrowed(Widget):
        id: ClassVar[str] = "test:narrowed"
        options: ClassVar[dict[str, Any]] = {"scale": 2}

    assert Narrowed(scale="any").config == {"scale": "any"}
    with pytest.raises(ValidationError, match="device: is not an option"):
        Narrowed(device="cpu")


def test_describe_options_gives_type_default_range_choices_and_description() -> None:
    docs = {doc.name: doc for doc in describe_options(Widget)}
    assert (docs["device"].type, docs["device"].allowed) == ("one", 'of "cpu" | "cuda"')
    assert (docs["scale"].type, docs["scale"].allowed, docs["scale"].default) == (
        "int",
        "from 1 to 32",
        1,
    )
    assert (docs["weight"].allowed, docs["cache_dir"].type) == ("> 0, <= 1", "str | None")
    assert format_default(docs["fast"]) == "true" and format_default(docs["cache_dir"]) == "(unset)"
    assert docs["model"].description == "the model folder"
    legacy = describe_options(Legacy)
    assert [(d.name, d.type, d.default) for d in legacy] == [
        ("size", "any", 8),
        ("labels", "any", None),
    ]


def _builtin_classes() -> list[type[Generator]]:
    found: list[type[Generator]] = []
    register_generators(found.append)
    return found


@pytest.mark.parametrize("cls", _builtin_classes(), ids=lambda c: c.id)
def test_every_builtin_generator_declares_typed_described_options(cls: type[Generator]) -> None:
    assert cls.Options is not None
    for doc in describe_options(cls):
        assert doc.type != "any" and doc.description, doc
    cls()  # the defaults themselves are valid


def test_ctranslate2_compute_types_are_the_converters_quantizations() -> None:
    from contentgen.generators.ctranslate2_gen import ComputeType
    from contentgen.modelfiles.ct2 import QUANTIZATIONS

    assert get_args(ComputeType) == QUANTIZATIONS


def test_a_bad_configured_option_fails_when_the_engine_builds_the_generator(tmp_path: Path) -> None:
    engine = echo_engine(tmp_path, generators={"testing:echo": {"batch_size": 0}})
    with pytest.raises(ValidationError, match=r"testing:echo\.batch_size: must be a whole number"):
        engine.registry.get("testing:echo")
    assert EchoGenerator(batch_size=3).max_batch_size() == 3
