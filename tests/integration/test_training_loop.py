"""Training orchestration on tiny models: exact resume, divergence guards, data loading, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file  # noqa: E402

from contentgen.cli import main  # noqa: E402
from contentgen.errors import TrainingError, ValidationError  # noqa: E402
from contentgen.training.api import train_model  # noqa: E402
from contentgen.training.checkpoint import latest_checkpoint  # noqa: E402
from contentgen.training.data import load_fashion_mnist, load_image_folder  # noqa: E402
from contentgen.training.gan import ConditionalDCGAN  # noqa: E402
from contentgen.training.loops import GanLoop  # noqa: E402
from contentgen.training.trainer import TrainSettings, run_training  # noqa: E402

TINY = {
    "vae": {"latent_dim": 4, "base_channels": 4, "hidden_dim": 16},
    "gan": {"latent_dim": 8, "g_width": 8, "d_width": 8},
    "classifier": {"width": 4, "feature_dim": 8},
}


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three classes of 28x28 pattern images (stripes, columns, a square), some RGB and larger."""
    root = tmp_path_factory.mktemp("products")
    rng = np.random.default_rng(0)
    for name in ("columns", "square", "stripes"):
        (root / name).mkdir()
        for i in range(14):
            image = rng.uniform(0, 40, size=(28, 28))
            if name == "stripes":
                image[::4] = 255
            elif name == "columns":
                image[:, ::4] = 255
            else:
                image[8:20, 8:20] = 255
            picture = Image.fromarray(image.astype(np.uint8))
            if i % 5 == 0:
                picture = picture.convert("RGB").resize((40, 40))
            picture.save(root / name / f"{i:02d}.png")
    return root


def _train(kind: str, out: Path, folder: Path, **kwargs: object):  # noqa: ANN202
    settings = {
        "data": folder,
        "batch_size": 8,
        "seed": 3,
        "checkpoint_every": 4,
        "log_every": 2,
        "model_config": TINY[kind],
        "evaluate": False,
        **kwargs,
    }
    return train_model(kind, out, **settings)  # type: ignore[arg-type]


def _weights(path: Path) -> dict[str, torch.Tensor]:
    return load_file(str(path / "model.safetensors"))


def test_image_folder_loader_reads_classes_resizes_and_converts(folder: Path) -> None:
    data = load_image_folder(folder, image_size=16, channels=1)
    assert data.class_names == ("columns", "square", "stripes")
    assert data.images.shape == (42, 1, 16, 16) and data.images.dtype == torch.uint8
    assert data.labels.tolist() == [0] * 14 + [1] * 14 + [2] * 14
    assert load_image_folder(folder, image_size=16, channels=3).images.shape == (42, 3, 16, 16)


def test_image_folder_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not a folder"):
        load_image_folder(tmp_path / "nope", 28, 1)
    (tmp_path / "dress").mkdir()
    with pytest.raises(ValidationError, match="holds no images"):
        load_image_folder(tmp_path, 28, 1)


def test_missing_fashion_mnist_names_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTENTGEN_FASHION_MNIST_DIR", str(tmp_path))
    with pytest.raises(TrainingError, match="dataset-fashion-mnist"):
        load_fashion_mnist("train")
    with pytest.raises(TrainingError, match="apt-get install dataset-fashion-mnist"):
        train_model("gan", tmp_path / "out", data="fashion-mnist", steps=1)


@pytest.mark.parametrize("kind", ["vae", "gan", "classifier"])
def test_resume_after_interruption_matches_an_uninterrupted_run(
    kind: str, folder: Path, tmp_path: Path
) -> None:
    straight = _train(kind, tmp_path / "straight", folder, steps=12)

    def interrupt(progress: object) -> None:
        if progress.step == 6:  # type: ignore[attr-defined]
            raise KeyboardInterrupt  # the process dies two steps after the step-4 checkpoint

    with pytest.raises(KeyboardInterrupt):
        _train(kind, tmp_path / "resumed", folder, steps=12, progress=interrupt)
    assert latest_checkpoint(tmp_path / "resumed").step == 4  # type: ignore[union-attr]
    resumed = train_model(
        kind,
        tmp_path / "resumed",
        steps=12,
        resume=True,
        checkpoint_every=4,
        log_every=2,
        evaluate=False,
    )
    assert resumed.resumed_from == 4
    assert resumed.history == straight.history
    a, b = _weights(tmp_path / "straight"), _weights(tmp_path / "resumed")
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a), (
        "resumed weights differ from the uninterrupted run"
    )


def test_same_seed_same_model_other_seed_other_model(folder: Path, tmp_path: Path) -> None:
    _train("vae", tmp_path / "a", folder, steps=4)
    _train("vae", tmp_path / "b", folder, steps=4)
    _train("vae", tmp_path / "c", folder, steps=4, seed=4)
    a, b, c = (_weights(tmp_path / n) for n in "abc")
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_nan_guard_stops_and_keeps_the_last_good_checkpoint(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    _train("vae", out, folder, steps=4)
    good = _weights(latest_checkpoint(out).path)  # type: ignore[union-attr]
    with pytest.raises(TrainingError) as info:
        train_model("vae", out, steps=40, resume=True, lr=1e12, checkpoint_every=4, evaluate=False)
    message = str(info.value)
    assert "diverged" in message and "step-00000004" in message and "--resume" in message
    kept = latest_checkpoint(out)
    assert kept is not None and kept.step == 4
    after = _weights(kept.path)
    assert all(torch.equal(good[k], after[k]) for k in good)
    # and the run can continue from it with a sane learning rate
    assert (
        train_model("vae", out, steps=8, resume=True, checkpoint_every=4, evaluate=False).steps == 8
    )


def test_discriminator_collapse_guard(folder: Path, tmp_path: Path) -> None:
    data = load_image_folder(folder, 28, 1)
    loop = GanLoop(ConditionalDCGAN(num_classes=3, **TINY["gan"]))
    loop.collapse_threshold = 1e9  # every step now counts as "discriminator loss ~ 0"
    settings = TrainSettings(steps=50, batch_size=8, checkpoint_every=2, collapse_patience=5)
    with pytest.raises(TrainingError, match=r"collapsed at step 5.*step-00000004"):
        run_training(loop, data, tmp_path, settings)


def test_existing_run_is_not_overwritten_and_settings_must_match(
    folder: Path, tmp_path: Path
) -> None:
    _train("classifier", tmp_path, folder, steps=4)
    with pytest.raises(TrainingError, match="--resume"):
        _train("classifier", tmp_path, folder, steps=8)
    with pytest.raises(TrainingError, match="batch_size"):
        _train("classifier", tmp_path, folder, steps=8, batch_size=4, resume=True)


def test_metrics_use_the_classifier_and_say_it_is_not_inception_fid(
    folder: Path, tmp_path: Path
) -> None:
    classifier = _train("classifier", tmp_path / "clf", folder, steps=8, evaluate=True)
    assert 0.0 <= classifier.metrics["test_accuracy"] <= 1.0
    gan = _train(
        "gan",
        tmp_path / "gan",
        folder,
        steps=4,
        evaluate=True,
        eval_samples=30,
        classifier=tmp_path / "clf",
    )
    assert gan.metrics["classifier_fid"] >= 0
    assert 0.0 <= gan.metrics["conditional_accuracy"] <= 1.0
    assert set(gan.metrics["conditional_accuracy_per_class"]) == {"columns", "square", "stripes"}
    card = json.loads((tmp_path / "gan" / "model_card.json").read_text())
    assert any("NOT Inception FID" in note for note in card["notes"])
    assert card["training"]["steps"] == 4 and card["training"]["seed"] == 3


def test_cli_trains_resumes_and_records_the_command(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "vae"
    args = [
        "train",
        "vae",
        "--data",
        str(folder),
        "--out",
        str(out),
        "--steps",
        "4",
        "--checkpoint-every",
        "2",
        "--threads",
        "1",
        "--batch-size",
        "8",
        "--eval-samples",
        "30",
        "--classifier",
        str(tmp_path / "none"),
    ]
    tiny = [w for k, v in TINY["vae"].items() for w in ("--model-option", f"{k}={v}")]
    main(args + tiny)
    assert f"saved vae to {out}" in capsys.readouterr().out
    card = json.loads((out / "model_card.json").read_text())
    assert card["training"]["command"].startswith(
        f"contentgen train vae --data {folder} --out {out}"
    )
    assert card["metrics"]["test_negative_elbo_nats"] > 0
    assert any("not measured" in note for note in card["notes"])
    with pytest.raises(SystemExit) as exit_info:
        main(args + tiny)  # same --out without --resume
    assert exit_info.value.code == 1
    assert "--resume" in capsys.readouterr().err
    main(
        [
            "train",
            "vae",
            "--out",
            str(out),
            "--steps",
            "6",
            "--resume",
            "--threads",
            "1",
            "--no-eval",
        ]
    )
    card = json.loads((out / "model_card.json").read_text())
    assert card["training"]["steps"] == 6
    assert card["training"]["command"].startswith("contentgen train vae --data")
    assert card["training"]["resumed_with"] == [
        f"contentgen train vae --out {out} --steps 6 --checkpoint-every 500 --resume --threads 1 "
        "--eval-samples 10000 --no-eval"
    ]
