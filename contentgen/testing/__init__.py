"""Test kit for plugin authors: contract suites to subclass, and fast deterministic generators.

from contentgen.testing import GeneratorContract, TaskContract

class TestMyGenerator(GeneratorContract):
    @pytest.fixture
    def generator(self):
        return MyGenerator(model="tiny")

class TestMyTask(TaskContract):
    task_name = "my_task"

    @pytest.fixture
    def plugin(self):
        return my_plugin_module
"""

from typing import TYPE_CHECKING

from contentgen.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from contentgen.testing.contracts import (
        GeneratorContract,
        ImageGeneratorContract,
        TaskContract,
    )
    from contentgen.testing.fakes import (
        EchoGenerator,
        EchoOptions,
        NoiseImageGenerator,
        NoiseOptions,
        echo_engine,
        echo_plugin,
    )

# Contracts import pytest: a program that only runs the fast generators never pays for it.
_HOMES = {
    **dict.fromkeys(("GeneratorContract", "ImageGeneratorContract", "TaskContract"),
                    "contentgen.testing.contracts"),
    **dict.fromkeys(("EchoGenerator", "EchoOptions", "NoiseImageGenerator", "NoiseOptions",
                     "echo_engine", "echo_plugin"), "contentgen.testing.fakes"),
}  # fmt: skip

__all__ = [
    "EchoGenerator",
    "EchoOptions",
    "GeneratorContract",
    "ImageGeneratorContract",
    "NoiseImageGenerator",
    "NoiseOptions",
    "TaskContract",
    "echo_engine",
    "echo_plugin",
]

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
