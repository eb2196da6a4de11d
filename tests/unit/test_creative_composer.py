"""builtin:composer keeps the generator contract: n candidates per prompt, in order, reproducible."""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.creatives.composer import Composer
from contentgen.errors import ValidationError
from contentgen.generator import Generator
from contentgen.tasks.creative import CreativeRequest
from contentgen.testing import GeneratorContract
from contentgen.types import Prompt, Task

PHOTO = str(Path(__file__).resolve().parents[2] / "examples" / "photos" / "SKU-1021.png")


class TestComposerContract(GeneratorContract):
    @pytest.fixture
    def generator(self) -> Generator:
        return Composer()

    def _prompt(self, generator: Generator, text: str, n: int = 1, seed: int = 1) -> Prompt:
        request = CreativeRequest(product={"name": text}, image=PHOTO, headline=text,
                                  cta="Shop now", placements=("300x250",))  # fmt: skip
        return Prompt(task=Task("creative"), text=text, n=n, seed=seed, data=request.variables())


def test_options_are_checked_before_anything_is_drawn() -> None:
    with pytest.raises(ValidationError, match="text_share_limit"):
        Composer(text_share_limit=2.0)


def test_the_text_share_option_overrides_the_placement_default() -> None:
    request = CreativeRequest(product={"name": "Bottle"}, image=PHOTO, headline="Insulated Water Bottle",
                              cta="Shop now", placements=("1080x1080",), variants=1)  # fmt: skip
    prompt = Prompt(task=Task("creative"), text="x", n=1, data=request.variables())
    [[strict]] = Composer(text_share_limit=0.001).generate([prompt])
    [[lenient]] = Composer().generate([prompt])
    assert strict.meta["fields"]["text_share_limit"] == "0.001"
    assert not strict.meta["evaluations"][0].passed and lenient.meta["evaluations"][0].passed
