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

from contentgen.testing.contracts import GeneratorContract, ImageGeneratorContract, TaskContract
from contentgen.testing.fakes import (
    EchoGenerator,
    EchoOptions,
    NoiseImageGenerator,
    NoiseOptions,
    echo_engine,
    echo_plugin,
)

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
