"""The VAE/GAN architecture options: old configs build the old networks, new ones train and load."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
import torch
from safetensors import safe_open

from contentgen.errors import ValidationError  # noqa: E402
from contentgen.training.gan import CBNGenerator, ConditionalDCGAN, DCGANGenerator  # noqa: E402
from contentgen.training.loops import GanLoop, VaeLoop  # noqa: E402
from contentgen.training.pretrained import load_pretrained, shipped_checkpoint  # noqa: E402
from contentgen.training.sampling import latents, sample_images  # noqa: E402
from contentgen.training.vae import ConditionalVAE  # noqa: E402

TINY_GAN = {"num_classes": 3, "latent_dim": 8, "g_width": 8, "d_width": 8}
IMPROVED_GAN = {
    **TINY_GAN,
    "conditional_bn": True,
    "spectral_norm": True,
    "loss": "hinge",
    "ema_decay": 0.9,
    "class_planes": False,
    "aux_weight": 1.0,
}
TINY_VAE = {"num_classes": 3, "latent_dim": 4, "base_channels": 4, "hidden_dim": 16}
VAE_GAN = {**TINY_VAE, "decoder_blocks": 1, "kl_weight": 0.5, "adversarial_weight": 0.1}


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)


def _batch(n: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    images = torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    return images, torch.arange(n) % 3


@pytest.mark.parametrize("kind", ["gan", "vae", "classifier"])
def test_shipped_checkpoints_load_with_the_options_their_config_names(kind: str) -> None:
    """A shipped checkpoint rebuilds exactly its saved network; options it omits take defaults."""
    folder = shipped_checkpoint(kind)
    config = json.loads((folder / "config.json").read_text())
    saved = {k: v for k, v in config.items() if k != "model_type"}
    model = load_pretrained(folder)
    assert {k: model.config[k] for k in saved} == saved
    defaults = inspect.signature(type(model).__init__).parameters
    added = {k: v for k, v in model.config.items() if k not in saved}
    assert added == {k: defaults[k].default for k in added}, "new options take their defaults"
    with safe_open(str(folder / "model.safetensors"), "pt") as saved:
        assert set(model.state_dict()) == set(saved.keys())


# The settings config.json held before the architecture options existed.
OLD_KEYS = {
    "conditional-dcgan": ("latent_dim", "g_width", "d_width", "projection"),
    "conditional-vae": ("latent_dim", "base_channels", "hidden_dim", "conditional_prior"),
}
SHAPE_KEYS = ("model_type", "image_size", "channels", "num_classes", "class_names")


@pytest.mark.parametrize(
    ("cls", "config"), [(ConditionalDCGAN, TINY_GAN), (ConditionalVAE, TINY_VAE)]
)
def test_a_checkpoint_saved_before_the_options_existed_still_loads(
    tmp_path: Path, cls: type, config: dict[str, object]
) -> None:
    model = cls(**config)
    model.save_pretrained(tmp_path)
    written = json.loads((tmp_path / "config.json").read_text())
    kept = (*SHAPE_KEYS, *OLD_KEYS[cls.model_type])
    (tmp_path / "config.json").write_text(json.dumps({k: written[k] for k in kept}))
    loaded = load_pretrained(tmp_path)  # strict: every saved tensor has its place, no more
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key]), key
    _, labels = _batch(3)
    seeds = [1, 2, 3]
    assert torch.equal(
        sample_images(loaded, labels.tolist(), seeds), sample_images(model, labels.tolist(), seeds)
    )


def test_a_gan_config_without_the_new_options_is_the_original_dcgan() -> None:
    gan = ConditionalDCGAN(**TINY_GAN)
    assert type(gan.generator) is DCGANGenerator and gan.generator_ema is None
    assert gan.loss == "non-saturating" and gan.discriminator.class_planes
    assert gan.discriminator.classify is None
    assert not any("parametrizations" in name for name, _ in gan.named_parameters())
    vae = ConditionalVAE(**TINY_VAE)
    assert vae.critic is None and vae.kl_weight == 1.0 and len(vae.decoder) == 3


def test_improved_gan_trains_with_hinge_aux_and_ema(tmp_path: Path) -> None:
    gan = ConditionalDCGAN(**IMPROVED_GAN)
    assert type(gan.generator) is CBNGenerator and gan.generator_ema is not None
    loop = GanLoop(gan)
    images, labels = _batch()
    before = [p.clone() for p in gan.generator_ema.parameters()]
    for step in range(3):
        losses = loop.step(images, labels, torch.Generator().manual_seed(step))
    assert {"d_loss", "g_loss", "aux_real", "aux_fake"} <= set(losses)
    assert all(torch.isfinite(torch.tensor(v)) for v in losses.values())
    moved = [
        not torch.equal(a, b) for a, b in zip(before, gan.generator_ema.parameters(), strict=True)
    ]
    assert all(moved), "every EMA weight follows the trained generator"
    trained = dict(gan.generator.named_parameters())
    assert any(
        not torch.equal(p, trained[name]) for name, p in gan.generator_ema.named_parameters()
    ), "the EMA generator is an average, not a copy"
    gan.save_pretrained(tmp_path)
    loaded = load_pretrained(tmp_path)
    assert loaded.config == gan.config
    z = latents(8, [5, 6, 7])
    with torch.no_grad():
        drawn_by_ema = (loaded.generator_ema.eval()(z, labels[:3]) + 1) / 2
    assert torch.equal(sample_images(loaded, labels[:3].tolist(), [5, 6, 7]), drawn_by_ema)


def test_ema_update_is_the_stated_average() -> None:
    gan = ConditionalDCGAN(**{**TINY_GAN, "ema_decay": 0.75})
    assert gan.generator_ema is not None
    with torch.no_grad():
        for p in gan.generator.parameters():
            p.add_(1.0)
    old = [p.clone() for p in gan.generator_ema.parameters()]
    gan.update_ema(latents(8, [1, 2, 3]), torch.tensor([0, 1, 2]))
    for previous, averaged, current in zip(
        old, gan.generator_ema.parameters(), gan.generator.parameters(), strict=True
    ):
        assert torch.allclose(averaged, 0.75 * previous + 0.25 * current, atol=1e-6)


def test_spectral_norm_bounds_the_discriminator_layers() -> None:
    gan = ConditionalDCGAN(**{**TINY_GAN, "spectral_norm": True})
    gan.discriminator.train()
    images, labels = _batch()
    for _ in range(30):  # power iterations run on each forward pass in train mode
        gan.discriminator(images * 2 - 1, labels)
    head = gan.discriminator.head.weight
    assert torch.linalg.matrix_norm(head.detach(), ord=2) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize(
    ("setting", "match"),
    [
        ({"loss": "wasserstein"}, "hinge"),
        ({"ema_decay": 1.0}, "ema_decay"),
        ({"aux_weight": 1.0}, "class_planes"),
        ({"aux_weight": -1.0, "class_planes": False}, "aux_weight"),
    ],
)
def test_bad_gan_options_name_the_setting(setting: dict[str, object], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        ConditionalDCGAN(**{**TINY_GAN, **setting})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "setting",
    [{"decoder_blocks": -1}, {"kl_weight": 0.0}, {"adversarial_weight": -0.5}, {"aux_weight": 1.0}],
)
def test_bad_vae_options_name_the_setting(setting: dict[str, float]) -> None:
    with pytest.raises(ValidationError, match=next(iter(setting))):
        ConditionalVAE(**{**TINY_VAE, **setting})  # type: ignore[arg-type]


def test_vae_gan_step_weights_kl_and_trains_the_critic_separately() -> None:
    vae = ConditionalVAE(**VAE_GAN)
    assert vae.critic is not None
    loop = VaeLoop(vae)
    images, labels = _batch()
    critic_before = [p.clone() for p in vae.critic.parameters()]
    decoder_before = [p.clone() for p in vae.decoder.parameters()]
    losses = loop.step(images, labels, torch.Generator().manual_seed(0))
    expected = losses["recon"] + 0.5 * losses["kl"] + 0.1 * losses["g_adv"]
    assert losses["loss"] == pytest.approx(expected, rel=1e-5)
    assert "d_loss" in losses and set(loop.optimizers()) == {"model", "critic"}
    assert all(
        not torch.equal(a, b) for a, b in zip(critic_before, vae.critic.parameters(), strict=True)
    )
    assert all(
        not torch.equal(a, b) for a, b in zip(decoder_before, vae.decoder.parameters(), strict=True)
    )
    model_params = {id(p) for group in loop.optimizer.param_groups for p in group["params"]}
    assert not any(id(p) in model_params for p in vae.critic.parameters())


def test_vae_critic_class_head_reads_the_image_alone_and_weights_the_decoder_loss() -> None:
    vae = ConditionalVAE(**{**VAE_GAN, "aux_weight": 2.0})
    assert vae.critic is not None and vae.critic.classify is not None
    assert not vae.critic.class_planes, "a class head reading label planes would learn nothing"
    assert ConditionalVAE(**VAE_GAN).critic.classify is None  # type: ignore[union-attr]
    images, labels = _batch()
    losses = VaeLoop(vae).step(images, labels, torch.Generator().manual_seed(0))
    expected = (
        losses["recon"] + 0.5 * losses["kl"] + 0.1 * (losses["g_adv"] + 2.0 * losses["aux_fake"])
    )
    assert losses["loss"] == pytest.approx(expected, rel=1e-5)
    assert losses["aux_real"] > 0 and "AC critic class head (weight 2.0)" in vae.describe()


def test_vae_elbo_is_reported_at_weight_one_whatever_the_training_beta() -> None:
    images, labels = _batch()
    plain = ConditionalVAE(**TINY_VAE)
    weighted = ConditionalVAE(**{**TINY_VAE, "kl_weight": 0.25})
    weighted.load_state_dict(plain.state_dict())
    noise = torch.Generator().manual_seed(3)
    a = plain.negative_elbo(images, labels, noise)
    noise = torch.Generator().manual_seed(3)
    b = weighted.negative_elbo(images, labels, noise)
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    assert torch.allclose(a[0], a[1] + a[2])


def test_the_card_description_names_the_options_trained() -> None:
    assert ConditionalDCGAN(**TINY_GAN).describe() == (
        "Class-conditional GAN (non-saturating loss, projection discriminator) "
        "trained by contentgen."
    )
    improved = ConditionalDCGAN(**IMPROVED_GAN).describe()
    for part in ("hinge loss", "spectrally normalised", "AC-GAN", "EMA generator (decay 0.9)"):
        assert part in improved
    assert "VAE-GAN critic (weight 0.1)" in ConditionalVAE(**VAE_GAN).describe()
    assert "critic" not in ConditionalVAE(**TINY_VAE).describe()
