"""The metric classifier's options: old checkpoints keep their layout, augmentation is seeded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from contentgen.errors import ValidationError  # noqa: E402
from contentgen.training.classifier import ImageClassifier, shift_and_flip  # noqa: E402
from contentgen.training.loops import ClassifierLoop  # noqa: E402
from contentgen.training.pretrained import load_pretrained  # noqa: E402

TINY = {"width": 4, "feature_dim": 8}
# The layer names of every classifier saved before `convs_per_stage` existed.
ORIGINAL_WEIGHTS = {
    "body.0.weight",
    "body.0.bias",
    "body.1.weight",
    "body.1.bias",
    "body.4.weight",
    "body.4.bias",
    "body.5.weight",
    "body.5.bias",
    "body.9.weight",
    "body.9.bias",
    "head.1.weight",
    "head.1.bias",
}


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)


def test_default_layout_keeps_the_original_layer_names() -> None:
    model = ImageClassifier(**TINY)
    assert {name for name, _ in model.named_parameters()} == ORIGINAL_WEIGHTS


def test_a_checkpoint_saved_before_the_options_existed_still_loads(tmp_path: Path) -> None:
    model = ImageClassifier(**TINY).eval()
    model.save_pretrained(tmp_path)
    written = json.loads((tmp_path / "config.json").read_text())
    old = {k: v for k, v in written.items() if k not in ("convs_per_stage", "augment_shift")}
    (tmp_path / "config.json").write_text(json.dumps(old))
    loaded = load_pretrained(tmp_path)  # strict: every saved tensor has its place, no more
    images = torch.rand(3, 1, 28, 28)
    assert torch.equal(loaded(images), model(images))


def test_two_convs_per_stage_deepen_the_network_and_round_trip(tmp_path: Path) -> None:
    model = ImageClassifier(**TINY, convs_per_stage=2, augment_shift=2).eval()
    assert sum(isinstance(m, torch.nn.Conv2d) for m in model.modules()) == 4
    assert model(torch.rand(2, 1, 28, 28)).shape == (2, 10)
    assert model.features(torch.rand(2, 1, 28, 28)).shape == (2, 8)
    model.save_pretrained(tmp_path)
    loaded = load_pretrained(tmp_path)
    assert loaded.config == model.config and loaded.augment_shift == 2


@pytest.mark.parametrize(
    ("setting", "match"),
    [({"convs_per_stage": 4}, "1, 2 or 3"), ({"augment_shift": 9}, "augment_shift")],
)
def test_bad_classifier_options_name_the_setting(setting: dict[str, int], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        ImageClassifier(**TINY, **setting)


def test_shift_and_flip_moves_a_pixel_at_most_shift_away_or_mirrors_it() -> None:
    images = torch.zeros(200, 1, 28, 28)
    images[:, 0, 10, 6] = 1.0
    moved = shift_and_flip(images, 2, torch.Generator().manual_seed(0))
    assert moved.shape == images.shape and torch.equal(moved.sum((1, 2, 3)), torch.ones(200))
    where = moved[:, 0].flatten(1).argmax(1)
    rows, cols = where // 28, where % 28
    assert set(rows.tolist()) == {8, 9, 10, 11, 12}
    mirrored = cols >= 14  # column 6 mirrors to 21
    assert set(cols[~mirrored].tolist()) == {4, 5, 6, 7, 8}
    assert set(cols[mirrored].tolist()) == {19, 20, 21, 22, 23}
    assert 60 < int(mirrored.sum()) < 140


def test_augmentation_is_drawn_from_the_step_noise() -> None:
    images = torch.rand(16, 1, 28, 28)
    model = ImageClassifier(**TINY, augment_shift=2)
    first = model.augment(images, torch.Generator().manual_seed(5))
    again = model.augment(images, torch.Generator().manual_seed(5))
    other = model.augment(images, torch.Generator().manual_seed(6))
    assert torch.equal(first, again) and not torch.equal(first, other)
    plain = ImageClassifier(**TINY)
    assert plain.augment(images, torch.Generator().manual_seed(5)) is images


def test_classifier_loop_trains_on_the_augmented_view() -> None:
    model = ImageClassifier(**TINY, augment_shift=2)
    seen: list[torch.Tensor] = []
    model.register_forward_pre_hook(lambda _, args: seen.append(args[0]))
    images, labels = torch.rand(8, 1, 28, 28), torch.arange(8) % 10
    ClassifierLoop(model).step(images, labels, torch.Generator().manual_seed(1))
    expected = shift_and_flip(images, 2, torch.Generator().manual_seed(1))
    assert torch.equal(seen[0], expected)
