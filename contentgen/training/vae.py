"""A class-conditional convolutional VAE with a Bernoulli likelihood (ELBO in nats per image)."""

from __future__ import annotations

import torch
from torch import nn

from contentgen.errors import ValidationError
from contentgen.training.gan import DCGANDiscriminator
from contentgen.training.hub import PretrainedMixin
from contentgen.training.layers import check_shape, class_maps, dcgan_init, one_hot


def _check_options(
    decoder_blocks: int, kl_weight: float, adversarial_weight: float, aux_weight: float
) -> None:
    """A ValidationError for settings no VAE can train with."""
    if decoder_blocks < 0 or not kl_weight > 0 or adversarial_weight < 0:
        raise ValidationError(
            "model config",
            "decoder_blocks and adversarial_weight must be >= 0 and kl_weight > 0, got "
            f"{decoder_blocks}, {adversarial_weight} and {kl_weight}",
        )
    if aux_weight < 0 or (aux_weight and not adversarial_weight):
        raise ValidationError(
            "aux_weight",
            "must be >= 0, and needs adversarial_weight > 0 (the class head sits on the critic), "
            f"got aux_weight={aux_weight}, adversarial_weight={adversarial_weight}",
        )


def _encoder(channels: int, c: int) -> nn.Sequential:
    """(channels, 4s, 4s) images -> flattened (2c, s, s) features: two strided convolutions."""
    return nn.Sequential(
        nn.Conv2d(channels, c, 4, 2, 1),
        nn.ReLU(),
        nn.Conv2d(c, 2 * c, 4, 2, 1),
        nn.ReLU(),
        nn.Flatten(),
    )


def _decoder_head(inputs: int, hidden: int, features: int, s: int) -> nn.Sequential:
    """[z, one-hot] -> (features, s, s) maps through one hidden layer."""
    return nn.Sequential(
        nn.Linear(inputs, hidden),
        nn.ReLU(),
        nn.Linear(hidden, features * s * s),
        nn.ReLU(),
        nn.Unflatten(1, (features, s, s)),
    )


def _decoder(inputs: int, c: int, channels: int, blocks: int) -> nn.Sequential:
    """(inputs, s, s) -> (channels, 4s, 4s) logits; with blocks, 3x3 refinements per scale."""
    layers: list[nn.Module] = [nn.ConvTranspose2d(inputs, c, 4, 2, 1), nn.ReLU()]
    if blocks == 0:
        return nn.Sequential(*layers, nn.ConvTranspose2d(c, channels, 4, 2, 1))
    for _ in range(blocks):
        layers += [nn.Conv2d(c, c, 3, 1, 1), nn.ReLU()]
    half = max(c // 2, 1)
    layers += [nn.ConvTranspose2d(c, half, 4, 2, 1), nn.ReLU(), nn.Conv2d(half, channels, 3, 1, 1)]
    return nn.Sequential(*layers)


class ConditionalVAE(PretrainedMixin, nn.Module):
    """Conv encoder q(z|x,y), deconv decoder p(x|z,y) = Bernoulli(sigmoid(logits)), prior p(z|y).

    The class enters as a one-hot vector concatenated to the encoder features and to z, and as
    one-hot planes beside the decoder's first feature maps. With `conditional_prior` the prior is
    a learned full-covariance Gaussian per class, N(mu_y, L_y L_y^T), starting at N(0, I); without
    it the prior is N(0, I). Either way -ELBO bounds -log p(x|y) and samples come from the prior.

    `decoder_blocks` adds 3x3 convolutions at 14x14 and a two-step 28x28 output stage (0: the
    original two transposed convolutions). `kl_weight` is the beta of the training objective
    (recon + beta * KL); the reported -ELBO always uses beta = 1. With `adversarial_weight` a
    small class-conditional critic (the DCGAN discriminator) scores images decoded from prior
    samples, and the decoder is also trained to pass it (VAE-GAN, Larsen et al. 2016): Bernoulli
    means are blurry, and blur is what makes coats, shirts and sandals look alike. With
    `aux_weight` the critic also learns the real images' classes from the image alone, and decoded
    samples are scored by that class head too (AC-GAN, Odena et al. 2017), which pushes samples of
    easily confused classes (shirt, coat, pullover) apart.
    """

    model_type = "conditional-vae"
    likelihood = "bernoulli"

    def __init__(
        self,
        image_size: int = 28,
        channels: int = 1,
        num_classes: int = 10,
        class_names: list[str] | None = None,
        latent_dim: int = 16,
        base_channels: int = 32,
        hidden_dim: int = 256,
        conditional_prior: bool = True,
        decoder_blocks: int = 0,
        kl_weight: float = 1.0,
        adversarial_weight: float = 0.0,
        critic_width: int = 32,
        aux_weight: float = 0.0,
    ) -> None:
        nn.Module.__init__(self)
        names = check_shape(image_size, channels, num_classes, class_names)
        self._resolved(class_names=names)  # the rest is recorded by the mixin as given
        _check_options(decoder_blocks, kl_weight, adversarial_weight, aux_weight)
        self.num_classes, self.latent_dim, self.kl_weight = num_classes, latent_dim, kl_weight
        self.adversarial_weight, self.aux_weight = adversarial_weight, aux_weight
        c, s = base_channels, image_size // 4
        self.feature_size = s
        self.encoder = _encoder(channels, c)
        self.encoder_head = nn.Sequential(
            nn.Linear(2 * c * s * s + num_classes, hidden_dim), nn.ReLU()
        )
        self.to_mu = nn.Linear(hidden_dim, latent_dim)
        self.to_logvar = nn.Linear(hidden_dim, latent_dim)
        self.decoder_head = _decoder_head(latent_dim + num_classes, hidden_dim, 2 * c, s)
        self.decoder = _decoder(2 * c + num_classes, c, channels, decoder_blocks)
        # A diagonal prior misses the correlations of the aggregate posterior, and samples
        # from it decode to blurrier, less class-typical images; a full covariance fixes that.
        self.prior_mean = (
            nn.Parameter(torch.zeros(num_classes, latent_dim)) if conditional_prior else None
        )
        self.prior_scale = (
            nn.Parameter(torch.zeros(num_classes, latent_dim, latent_dim))
            if conditional_prior
            else None
        )
        self.critic = (
            # A class head must not read the label planes, so an AC critic sees the image alone.
            DCGANDiscriminator(
                num_classes,
                channels,
                image_size,
                critic_width,
                projection=True,
                class_planes=not aux_weight,
                classifier=aux_weight > 0,
            )
            if adversarial_weight
            else None
        )
        if self.critic is not None:
            self.critic.apply(dcgan_init)

    @property
    def class_names(self) -> list[str]:
        """The class names, indexed by label."""
        return list(self.config["class_names"])

    def encode(self, x: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Images in [0, 1] -> (mu, log-variance) of q(z|x,y)."""
        h = torch.cat([self.encoder(x), one_hot(labels, self.num_classes, x.dtype)], dim=1)
        h = self.encoder_head(h)
        return self.to_mu(h), self.to_logvar(h)

    def prior_params(self, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mean, lower-triangular scale L) of the prior p(z|y) = N(mean, L L^T)."""
        if self.prior_mean is None or self.prior_scale is None:
            eye = torch.eye(self.latent_dim, device=labels.device)
            return torch.zeros(len(labels), self.latent_dim, device=labels.device), eye.expand(
                len(labels), -1, -1
            )
        raw = self.prior_scale[labels]
        scale = torch.tril(raw, -1) + torch.diag_embed(
            torch.exp(torch.diagonal(raw, dim1=1, dim2=2))
        )
        return self.prior_mean[labels], scale

    def describe(self) -> str:
        """One line for the model card: likelihood, prior and the optional parts."""
        c = self.config
        parts = ["Bernoulli likelihood"]
        parts.append("learned class prior" if c.get("conditional_prior", True) else "N(0, I) prior")
        blocks = int(c.get("decoder_blocks", 0))
        if blocks:
            parts.append(
                f"{blocks} extra 3x3 decoder convolution{'s' if blocks > 1 else ''} at 14x14"
            )
        if self.kl_weight != 1.0:
            parts.append(f"KL weight {self.kl_weight}")
        if self.adversarial_weight:
            parts.append(f"VAE-GAN critic (weight {self.adversarial_weight})")
        if self.aux_weight:
            parts.append(f"AC critic class head (weight {self.aux_weight})")
        return f"Class-conditional convolutional VAE ({', '.join(parts)}) trained by contentgen."

    def decode(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Latents -> Bernoulli logits of each pixel."""
        h = self.decoder_head(torch.cat([z, one_hot(labels, self.num_classes, z.dtype)], dim=1))
        planes = class_maps(labels, self.num_classes, self.feature_size).to(h.dtype)
        return self.decoder(torch.cat([h, planes], dim=1))  # type: ignore[no-any-return]

    def negative_elbo(
        self, x: torch.Tensor, labels: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per-image -ELBO, reconstruction -log p(x|z,y) and KL(q||p), all in nats (N,)."""
        mu, logvar = self.encode(x, labels)
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        z = mu + eps * torch.exp(0.5 * logvar)
        logits = self.decode(z, labels)
        recon = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none")
        recon = recon.flatten(1).sum(1)
        kl = self._kl(mu, logvar, labels)
        return recon + kl, recon, kl

    def _kl(self, mu: torch.Tensor, logvar: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """KL(N(mu, diag(exp(logvar))) || N(m, L L^T)) per image, in closed form."""
        prior_mu, scale = self.prior_params(labels)
        eye = torch.eye(self.latent_dim, device=mu.device, dtype=mu.dtype).expand_as(scale)
        inverse = torch.linalg.solve_triangular(scale, eye, upper=False)
        trace = (inverse * torch.exp(0.5 * logvar)[:, None, :]).pow(2).sum((1, 2))
        mahalanobis = (inverse @ (mu - prior_mu)[:, :, None]).squeeze(2).pow(2).sum(1)
        log_det_prior = 2.0 * torch.log(torch.diagonal(scale, dim1=1, dim2=2)).sum(1)
        return 0.5 * (trace + mahalanobis - self.latent_dim + log_det_prior - logvar.sum(1))

    def sample(self, noise: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Standard-normal noise -> z ~ p(z|y) -> images in [0, 1] (the Bernoulli means)."""
        prior_mu, scale = self.prior_params(labels)
        z = prior_mu + (scale @ noise[:, :, None]).squeeze(2)
        return torch.sigmoid(self.decode(z, labels))
