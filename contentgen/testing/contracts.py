"""Contract suites for plugin authors: subclass them in your tests (see `contentgen.testing`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from contentgen.errors import ValidationError
from contentgen.generator import Generator, GeneratorSpec
from contentgen.testing.fakes import echo_engine
from contentgen.types import ANY_TASK, Candidate, ModelInfo, Prompt, PromptError, Task

if TYPE_CHECKING:
    from contentgen.engine import Engine


def served(generator: Generator, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
    """`generator.generate(prompts)`, every prompt served (a PromptError fails the test)."""
    answers = generator.generate(prompts)
    failed = [a.message for a in answers if isinstance(a, PromptError)]
    assert not failed, failed
    return [list(a) for a in answers if not isinstance(a, PromptError)]


class TaskContract:
    """Subclass in your tests and provide a `plugin` fixture (your plugin module) and `task_name`.

    Checks what every task must do, with EchoGenerator so no model loads: the spec registers
    cleanly, its example builds a request whose default template renders, `contentgen generate
    TASK` is built from it, a batch row becomes the same request, and the engine serves it.
    """

    task_name: ClassVar[str] = ""

    @pytest.fixture
    def plugin(self) -> object:
        """Override: return your plugin (the module your entry point names)."""
        raise NotImplementedError("define a `plugin` fixture returning your plugin module")

    @pytest.fixture
    def engine(self, plugin: object, tmp_path: Path) -> Any:
        """An echo engine with the plugin loaded."""
        with echo_engine(tmp_path / "data", plugins=[("under_test", plugin)]) as built:
            yield built

    def test_the_task_registers_without_errors(self, engine: Engine) -> None:
        """The plugin loads, and its task is the engine's under its name."""
        info = engine.plugins.infos["under_test"]
        assert info.error is None, info.error
        assert self.task_name in info.tasks and self.task_name in engine.tasks

    def test_the_example_renders_its_default_template(self, engine: Engine) -> None:
        """The spec's example is a valid request whose prompt renders (or is its `prompt`)."""
        spec = engine.tasks.get(self.task_name)
        request = spec.build_request(spec.example)
        work = engine.prepare(request)
        if spec.default_template(request) is None:
            assert work.variables.get("prompt"), "without a template, give a `prompt` variable"
        else:
            assert work.rendered is not None and work.rendered.text
        assert set(spec.fact_fields) <= set(work.variables)

    def test_the_cli_command_is_built_from_the_spec(self, engine: Engine) -> None:
        """`contentgen generate TASK --help` lists an option for every request field."""
        from click.testing import CliRunner

        from contentgen.cli.generate import task_command

        spec = engine.tasks.get(self.task_name)
        result = CliRunner().invoke(task_command(spec), ["--help"])
        assert result.exit_code == 0, result.output
        for name in spec.field_names():
            assert name.replace("_", "-") in result.output or name in result.output

    def test_a_batch_row_becomes_the_same_request(self, engine: Engine) -> None:
        """A row holding the example's values (nested ones as `field.key`) maps to it."""
        from contentgen.batch.mapping import RowMapping

        spec = engine.tasks.get(self.task_name)
        if spec.row_mapping is None:
            pytest.skip("the task runs no batch jobs")
        row: dict[str, Any] = {}
        for key, value in spec.example.items():
            if key == spec.row_mapping.nested and isinstance(value, Mapping):
                row.update({f"{key}.{k}": v for k, v in value.items()})
            else:
                row[key] = value
        mapping = RowMapping.build(self.task_name, tasks=engine.tasks)
        assert mapping.to_request(row, {}) == spec.build_request(spec.example)

    def test_the_engine_serves_the_example(self, engine: Engine) -> None:
        """Generating the example returns stored outputs (accepted or rejected), never an error."""
        spec = engine.tasks.get(self.task_name)
        result = engine.generate(spec.build_request({**spec.example, "seed": 3}))
        assert result.outputs or result.rejected
        assert not result.notes


class GeneratorContract:
    """Subclass in your tests and provide a `generator` fixture; every test must pass."""

    # Image generators: a class your model draws, asked for by name in every image prompt.
    image_class: ClassVar[str] = ""

    @pytest.fixture
    def generator(self) -> Generator:
        """Override: return an instance of your generator (tiny config)."""
        raise NotImplementedError("define a `generator` fixture returning your generator")

    def _prompt(self, generator: Generator, text: str, n: int = 1, seed: int = 1) -> Prompt:
        named = sorted(t for t in generator.tasks if t != ANY_TASK)
        # A generator serving every task of its modality is asked for a built-in one.
        name = named[0] if named else ("image" if generator.modality == "image" else "marketing")
        if name == "image" and self.image_class:
            text = f"{text} {self.image_class}"
        data: Any = {
            "marketing": {"product": {"name": text}, "channel": "search_ad", "audience": "all"},
            "news_summary": {
                "article": f"{text}. More text.",
                "target_words": 20,
                "style": "brief",
            },
            "customer_service": {"message": text, "context": {}, "policy": ""},
            "image": {"prompt": text, "class_name": ""},
        }.get(name, {"text": text, "facts": {"text": text}})
        return Prompt(task=Task(name), text=text, n=n, seed=seed, max_new_tokens=8, data=data)

    def test_id_names_plugin_and_generator(self, generator: Generator) -> None:
        """Ids look like '<plugin>:<name>' and the class describes itself."""
        spec = GeneratorSpec.from_class(type(generator), "contract")
        assert spec.id.count(":") == 1 and all(spec.id.split(":"))
        assert spec.tasks, "declare at least one task"
        assert generator.modality in ("text", "image")

    def test_load_is_idempotent(self, generator: Generator) -> None:
        """Calling load() twice is safe and leaves the generator loaded."""
        generator.load()
        generator.load()
        assert generator.loaded

    def test_empty_batch_gives_empty_result(self, generator: Generator) -> None:
        """No prompts, no candidates."""
        generator.load()
        assert generator.generate([]) == []

    def test_one_list_of_n_candidates_per_prompt_in_order(self, generator: Generator) -> None:
        """Each prompt gets exactly its own n candidates, in input order."""
        generator.load()
        prompts = [self._prompt(generator, "alpha", n=2), self._prompt(generator, "beta", n=1)]
        result = served(generator, prompts)
        assert [len(c) for c in result] == [2, 1]
        for candidates in result:
            for candidate in candidates:
                assert isinstance(candidate, Candidate)
                if generator.modality == "text":
                    assert isinstance(candidate.text, str)
                else:
                    assert candidate.image_png and candidate.image_png.startswith(b"\x89PNG")

    def test_same_seed_same_output(self, generator: Generator) -> None:
        """A seed makes generation reproducible."""
        generator.load()
        first = served(generator, [self._prompt(generator, "gamma", seed=7)])
        second = served(generator, [self._prompt(generator, "gamma", seed=7)])
        assert first == second

    def test_model_info_for_provenance(self, generator: Generator) -> None:
        """model_info() names the model for provenance."""
        info = generator.model_info()
        assert isinstance(info, ModelInfo) and info.model_id

    def test_unknown_option_is_a_clear_error(self, generator: Generator) -> None:
        """A misspelt option names the valid ones."""
        with pytest.raises(ValidationError, match="not an option"):
            type(generator)(no_such_option_xyz=1)


class ImageGeneratorContract(GeneratorContract):
    """The contract plus what image generators promise; set `image_class` if you draw classes."""

    def test_an_image_seed_alone_redraws_that_image(self, generator: Generator) -> None:
        """Image i records the seed it was drawn from; asking for that seed alone redraws it."""
        assert generator.modality == "image", "use GeneratorContract for text generators"
        generator.load()
        [images] = served(generator, [self._prompt(generator, "delta", n=3, seed=11)])
        for image in images:
            seed = image.meta.get("seed")
            assert isinstance(seed, int), "put each image's own seed in Candidate.meta['seed']"
            [[alone]] = served(generator, [self._prompt(generator, "delta", seed=seed)])
            assert alone.image_png == image.image_png
