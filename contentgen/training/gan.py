"""A class-conditional GAN for small images: DCGAN (Radford et al. 2015) or SNGAN-style.

The original layout (`conditional_bn=False, spectral_norm=False`) is a DCGAN with one-hot
conditioning and a projection term. The improved layout follows Miyato & Koyama (2018):
class-conditional batch norm in the generator, a spectrally normalised projection discriminator
without batch norm, trained with the hinge loss, and an exponential moving average (EMA) of the
generator's weights that sampling uses.
"""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm as _sn

from contentgen.errors import ValidationError
from contentgen.training.hub import PretrainedMixin
from contentgen.training.layers import check_shape, class_maps, dcgan_init, one_hot

LOSSES: tuple[str, ...] = ("non-saturating", "hinge")


class DCGANGenerator(nn.Module):
    """[z, one-hot] -> project to (2w, s, s) -> BN/ReLU transposed convs -> tanh image."""

    def __init__(
        self, latent_dim: int, num_classes: int, channels: int, image_size: int, width: int
    ) -> None:
        super().__init__()
        s = image_size // 4
        self.num_classes = num_classes
        self.net = nn.Sequential(
            nn.Linear(latent_dim + num_classes, 2 * width * s * s, bias=False),
            nn.Unflatten(1, (2 * width, s, s)),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, 2, 1),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Latents and labels -> images in [-1, 1]."""
        return self.net(torch.cat([z, one_hot(labels, self.num_classes, z.dtype)], dim=1))  # type: ignore[no-any-return]


class ConditionalBatchNorm2d(nn.Module):
    """Batch norm whose scale and shift are looked up per class (de Vries et al. 2017)."""

    def __init__(self, features: int, num_classes: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(features, affine=False)
        self.gain = nn.Embedding(num_classes, features)
        self.shift = nn.Embedding(num_classes, features)

    def reset_parameters(self) -> None:
        """Identity at the start: gain 1, shift 0 for every class."""
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.shift.weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Normalise, then scale and shift by the label's parameters."""
        h = self.norm(x)
        return h * self.gain(labels)[:, :, None, None] + self.shift(labels)[:, :, None, None]


class CBNGenerator(nn.Module):
    """[z, one-hot] -> (2w, s, s) -> conditional-BN/ReLU transposed convs -> tanh image."""

    def __init__(
        self, latent_dim: int, num_classes: int, channels: int, image_size: int, width: int
    ) -> None:
        super().__init__()
        s = image_size // 4
        self.num_classes = num_classes
        self.project = nn.Sequential(
            nn.Linear(latent_dim + num_classes, 2 * width * s * s, bias=False),
            nn.Unflatten(1, (2 * width, s, s)),
        )
        self.norm1 = ConditionalBatchNorm2d(2 * width, num_classes)
        self.up1 = nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False)
        self.norm2 = ConditionalBatchNorm2d(width, num_classes)
        self.up2 = nn.ConvTranspose2d(width, channels, 4, 2, 1)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Latents and labels -> images in [-1, 1]."""
        h = self.project(torch.cat([z, one_hot(labels, self.num_classes, z.dtype)], dim=1))
        h = self.up1(torch.relu(self.norm1(h, labels)))
        return torch.tanh(self.up2(torch.relu(self.norm2(h, labels))))


class DCGANDiscriminator(nn.Module):
    """Strided LeakyReLU convs -> logit + class projection <embed(y), h>.

    With `class_planes` the image is read beside one-hot planes of its label; with
    `spectral_norm` every layer is spectrally normalised and batch norm is left out.
    """

    def __init__(
        self,
        num_classes: int,
        channels: int,
        image_size: int,
        width: int,
        projection: bool,
        class_planes: bool = True,
        spectral_norm: bool = False,
        classifier: bool = False,
    ) -> None:
        super().__init__()
        s = image_size // 4
        self.num_classes, self.image_size, self.class_planes = num_classes, image_size, class_planes
        wrap = _sn if spectral_norm else (lambda m: m)
        inputs = channels + (num_classes if class_planes else 0)
        middle: list[nn.Module] = (
            [wrap(nn.Conv2d(width, 2 * width, 4, 2, 1))]
            if spectral_norm
            else [nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width)]
        )
        self.features = nn.Sequential(
            wrap(nn.Conv2d(inputs, width, 4, 2, 1)),
            nn.LeakyReLU(0.2),
            *middle,
            nn.LeakyReLU(0.2),
            nn.Flatten(),
        )
        self.head = wrap(nn.Linear(2 * width * s * s, 1))
        # Projection discriminator (Miyato & Koyama 2018): <embed(y), h> sharpens conditioning.
        self.embed = wrap(nn.Embedding(num_classes, 2 * width * s * s)) if projection else None
        # AC-GAN (Odena et al. 2017): a class head on the shared features, trained on real images.
        self.classify = wrap(nn.Linear(2 * width * s * s, num_classes)) if classifier else None

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Images in [-1, 1] and labels -> real/fake logits (N,)."""
        return self.judge(x, labels)[0]

    def judge(
        self, x: torch.Tensor, labels: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Real/fake logits (N,) and, with a class head, class logits (N, K)."""
        if self.class_planes:
            planes = class_maps(labels, self.num_classes, self.image_size).to(x.dtype)
            x = torch.cat([x, planes], 1)
        h = self.features(x)
        logit = self.head(h).squeeze(1)
        if self.embed is not None:
            logit = logit + (self.embed(labels) * h).sum(1)
        return logit, (self.classify(h) if self.classify is not None else None)


class ConditionalDCGAN(PretrainedMixin, nn.Module):
    """Generator + discriminator pair; sampling needs only the generator (its EMA if kept)."""

    model_type = "conditional-dcgan"

    def __init__(
        self,
        image_size: int = 28,
        channels: int = 1,
        num_classes: int = 10,
        class_names: list[str] | None = None,
        latent_dim: int = 64,
        g_width: int = 64,
        d_width: int = 64,
        projection: bool = True,
        conditional_bn: bool = False,
        spectral_norm: bool = False,
        class_planes: bool = True,
        loss: str = "non-saturating",
        ema_decay: float = 0.0,
        aux_weight: float = 0.0,
    ) -> None:
        nn.Module.__init__(self)
        names = check_shape(image_size, channels, num_classes, class_names)
        if loss not in LOSSES:
            raise ValidationError("loss", f"unknown GAN loss {loss!r}", LOSSES)
        if not 0.0 <= ema_decay < 1.0:
            raise ValidationError("ema_decay", f"must be in [0, 1), got {ema_decay}")
        if aux_weight < 0 or (aux_weight and class_planes):
            raise ValidationError(
                "aux_weight",
                f"must be >= 0, and needs class_planes=false (a class head would read the label "
                f"planes), got aux_weight={aux_weight}, class_planes={class_planes}",
            )
        self._resolved(class_names=names)  # the rest is recorded by the mixin as given
        self.latent_dim, self.loss, self.ema_decay = latent_dim, loss, ema_decay
        self.aux_weight = aux_weight
        make = CBNGenerator if conditional_bn else DCGANGenerator
        self.generator = make(latent_dim, num_classes, channels, image_size, g_width)
        self.discriminator = DCGANDiscriminator(
            num_classes,
            channels,
            image_size,
            d_width,
            projection,
            class_planes,
            spectral_norm,
            classifier=aux_weight > 0,
        )
        self.apply(dcgan_init)
        for module in self.modules():
            if isinstance(module, ConditionalBatchNorm2d):
                module.reset_parameters()
        # The EMA copy only ever receives averaged weights; it is what `sample` draws from.
        self.generator_ema = (
            copy.deepcopy(self.generator).requires_grad_(False) if ema_decay else None
        )

    @property
    def class_names(self) -> list[str]:
        """The class names, indexed by label."""
        return list(self.config["class_names"])

    @torch.no_grad()
    def update_ema(self, z: torch.Tensor, labels: torch.Tensor) -> None:
        """Move the EMA generator towards the trained one; refresh its batch-norm statistics.

        The statistics come from a forward pass of the averaged weights themselves (on this
        step's latents), so they describe the network that samples, not the trained one.
        """
        if self.generator_ema is None:
            return
        for averaged, current in zip(
            self.generator_ema.parameters(), self.generator.parameters(), strict=True
        ):
            averaged.lerp_(current, 1.0 - self.ema_decay)
        self.generator_ema.train()
        self.generator_ema(z, labels)

    def describe(self) -> str:
        """One line for the model card: the layout and loss this config trains."""
        c = self.config
        parts = [f"{self.loss} loss"]
        if c.get("spectral_norm"):
            parts.append("spectrally normalised")
        parts.append("projection discriminator" if c.get("projection", True) else "discriminator")
        if c.get("conditional_bn"):
            parts.append("class-conditional batch norm")
        if self.aux_weight:
            parts.append(f"AC-GAN class head (weight {self.aux_weight})")
        if self.ema_decay:
            parts.append(f"EMA generator (decay {self.ema_decay})")
        return f"Class-conditional GAN ({', '.join(parts)}) trained by contentgen."

    def sample(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Generate images in [0, 1]."""
        net = self.generator_ema if self.generator_ema is not None else self.generator
        return (net(z, labels) + 1.0) * 0.5
