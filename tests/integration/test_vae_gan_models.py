"""The conditional VAE, DCGAN and classifier: shapes, ELBO, persistence, seeded sampling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from contentgen.errors import ModelNotAvailableError, ValidationError  # noqa: E402
from contentgen.training.classifier import ImageClassifier  # noqa: E402
from contentgen.training.gan import ConditionalDCGAN  # noqa: E402
from contentgen.training.pretrained import load_pretrained, read_card  # noqa: E402
from contentgen.training.sampling import sample_images  # noqa: E402
from contentgen.training.vae import ConditionalVAE  # noqa: E402

TINY_VAE = {"latent_dim": 4, "base_channels": 4, "hidden_dim": 16}
TINY_GAN = {"latent_dim": 8, "g_width": 8, "d_width": 8}


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)


def test_vae_shapes_and_elbo_in_nats() -> None:
    vae = ConditionalVAE(**TINY_VAE)
    x = torch.rand(5, 1, 28, 28)
    y = torch.tensor([0, 1, 2, 3, 9])
    mu, logvar = vae.encode(x, y)
    assert mu.shape == logvar.shape == (5, 4)
    assert vae.decode(mu, y).shape == (5, 1, 28, 28)
    with torch.no_grad():
        neg_elbo, recon, kl = vae.negative_elbo(x, y, torch.Generator().manual_seed(0))
    assert neg_elbo.shape == (5,)
    assert torch.allclose(neg_elbo, recon + kl)
    assert bool((kl >= 0).all())
    # an untrained Bernoulli decoder costs about 784 * ln 2 nats per image
    assert 400 < recon.mean().item() < 700


@pytest.mark.parametrize("conditional_prior", [True, False])
def test_vae_kl_matches_torch_distributions(conditional_prior: bool) -> None:
    from torch.distributions import MultivariateNormal, kl_divergence

    vae = ConditionalVAE(conditional_prior=conditional_prior, **TINY_VAE)
    if conditional_prior:
        with torch.no_grad():  # move the learned per-class prior away from N(0, I)
            vae.prior_mean.normal_()
            vae.prior_scale.normal_(0.0, 0.5)
    labels = torch.tensor([0, 4, 9])
    mu, logvar = torch.randn(3, 4), torch.randn(3, 4) * 0.5
    prior_mean, scale = vae.prior_params(labels)
    expected = kl_divergence(
        MultivariateNormal(mu, scale_tril=torch.diag_embed(torch.exp(0.5 * logvar))),
        MultivariateNormal(prior_mean, scale_tril=scale),
    )
    with torch.no_grad():
        assert torch.allclose(vae._kl(mu, logvar, labels), expected, atol=1e-4)


def test_vae_samples_come_from_the_class_prior() -> None:
    vae = ConditionalVAE(**TINY_VAE).eval()
    with torch.no_grad():
        vae.prior_mean[3] = torch.tensor([1.0, -2.0, 0.5, 0.0])
        labels = torch.tensor([3])
        zero_noise = vae.sample(torch.zeros(1, 4), labels)
        assert torch.allclose(zero_noise, torch.sigmoid(vae.decode(vae.prior_mean[3:4], labels)))


def test_gan_generator_and_discriminator_shapes() -> None:
    gan = ConditionalDCGAN(**TINY_GAN)
    z = torch.randn(3, 8)
    y = torch.tensor([0, 5, 9])
    images = gan.generator(z, y)
    assert images.shape == (3, 1, 28, 28)
    assert images.min().item() >= -1 and images.max().item() <= 1
    assert gan.discriminator(images, y).shape == (3,)
    rgb = ConditionalDCGAN(image_size=32, channels=3, num_classes=2, **TINY_GAN)
    assert rgb.generator(torch.randn(2, 8), torch.tensor([0, 1])).shape == (2, 3, 32, 32)


def test_class_condition_changes_the_output() -> None:
    gan = ConditionalDCGAN(**TINY_GAN).eval()
    z = torch.randn(1, 8)
    assert not torch.equal(gan.sample(z, torch.tensor([0])), gan.sample(z, torch.tensor([7])))


@pytest.mark.parametrize(
    ("cls", "config"),
    [
        (ConditionalVAE, TINY_VAE),
        (ConditionalDCGAN, TINY_GAN),
        (ImageClassifier, {"width": 4, "feature_dim": 8}),
    ],
)
def test_save_pretrained_round_trip(tmp_path: Path, cls: type, config: dict) -> None:
    model = cls(class_names=[f"c{i}" for i in range(10)], **config).eval()
    model.save_pretrained(
        tmp_path, card={"metrics": {"x": 1.0}, "training": {"command": "contentgen train"}}
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md",
        "config.json",
        "model.safetensors",
        "model_card.json",
    ]
    assert (tmp_path / "model.safetensors").stat().st_mode & 0o777 == 0o644  # shippable
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["model_type"] == cls.model_type and saved["class_names"][3] == "c3"
    loaded = load_pretrained(tmp_path)
    assert type(loaded) is cls and loaded.config == model.config
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key]), key
    assert read_card(tmp_path)["metrics"] == {"x": 1.0}
    assert "contentgen train" in (tmp_path / "README.md").read_text()


def test_from_pretrained_rejects_other_types_and_unknown_settings(tmp_path: Path) -> None:
    ConditionalVAE(**TINY_VAE).save_pretrained(tmp_path)
    with pytest.raises(ValidationError, match="conditional-vae"):
        ConditionalDCGAN.from_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "depth": 3}))
    with pytest.raises(ValidationError, match="depth"):
        ConditionalVAE.from_pretrained(tmp_path)


def test_networks_load_through_the_hub_mixin_from_local_folders_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import PyTorchModelHubMixin, hub_mixin

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("loading a contentgen network must never reach the hub")

    monkeypatch.setattr(hub_mixin, "hf_hub_download", no_download)
    assert issubclass(ConditionalVAE, PyTorchModelHubMixin)
    with pytest.raises(ModelNotAvailableError, match="not a contentgen checkpoint"):
        ConditionalVAE.from_pretrained("some-org/some-model")
    model = ConditionalDCGAN(class_names=[f"c{i}" for i in range(10)], **TINY_GAN)
    model.save_pretrained(tmp_path)  # no card: the mixin writes a README saying what it is
    readme = (tmp_path / "README.md").read_text()
    assert "library_name: contentgen" in readme and "load_pretrained" in readme
    loaded = ConditionalDCGAN.from_pretrained(tmp_path)
    assert loaded.config == model.config and not loaded.training


def test_loading_a_folder_without_a_checkpoint_is_clear(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailableError, match="contentgen train"):
        load_pretrained(tmp_path)


def test_bad_model_settings_name_the_setting() -> None:
    with pytest.raises(ValidationError, match="image_size"):
        ConditionalVAE(image_size=30)
    with pytest.raises(ValidationError, match="channels"):
        ConditionalDCGAN(channels=2)
    with pytest.raises(ValidationError, match="class_names"):
        ImageClassifier(num_classes=3, class_names=["a", "b"])


@pytest.mark.parametrize(
    ("cls", "config"), [(ConditionalVAE, TINY_VAE), (ConditionalDCGAN, TINY_GAN)]
)
def test_sampling_is_seeded_per_image(cls: type, config: dict) -> None:
    model = cls(**config)
    first = sample_images(model, [1, 2, 3], [10, 11, 12])
    again = sample_images(model, [1, 2, 3], [10, 11, 12])
    assert first.shape == (3, 1, 28, 28)
    assert float(first.min()) >= 0 and float(first.max()) <= 1
    assert torch.equal(first, again)
    # image i depends only on its own seed and class, not on the batch it was drawn in
    assert torch.allclose(sample_images(model, [2], [11])[0], first[1], atol=1e-6)
    assert not torch.equal(sample_images(model, [2], [99])[0], first[1])
