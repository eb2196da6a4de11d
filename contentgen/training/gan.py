"""A class-conditional DCGAN (Radford et al. 2015, scaled to 28x28), projection discriminator."""

from __future__ import annotations

import torch
from torch import nn

from contentgen.training.layers import check_shape, class_maps, dcgan_init, one_hot
from contentgen.training.pretrained import PretrainedMixin


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


class DCGANDiscriminator(nn.Module):
    """[image, one-hot planes] -> strided LeakyReLU convs -> logit + class projection."""

    def __init__(
        self, num_classes: int, channels: int, image_size: int, width: int, projection: bool
    ) -> None:
        super().__init__()
        s = image_size // 4
        self.num_classes, self.image_size = num_classes, image_size
        self.features = nn.Sequential(
            nn.Conv2d(channels + num_classes, width, 4, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False),
            nn.BatchNorm2d(2 * width),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
        )
        self.head = nn.Linear(2 * width * s * s, 1)
        # Projection discriminator (Miyato & Koyama 2018): <embed(y), h> sharpens conditioning.
        self.embed = nn.Embedding(num_classes, 2 * width * s * s) if projection else None

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Images in [-1, 1] and labels -> real/fake logits (N,)."""
        h = self.features(
            torch.cat([x, class_maps(labels, self.num_classes, self.image_size).to(x.dtype)], 1)
        )
        logit = self.head(h).squeeze(1)
        if self.embed is not None:
            logit = logit + (self.embed(labels) * h).sum(1)
        return logit  # type: ignore[no-any-return]


class ConditionalDCGAN(PretrainedMixin, nn.Module):
    """Generator + discriminator pair; sampling needs only the generator."""

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
    ) -> None:
        nn.Module.__init__(self)
        names = check_shape(image_size, channels, num_classes, class_names)
        self._remember_config(
            image_size=image_size,
            channels=channels,
            num_classes=num_classes,
            class_names=names,
            latent_dim=latent_dim,
            g_width=g_width,
            d_width=d_width,
            projection=projection,
        )
        self.latent_dim = latent_dim
        self.generator = DCGANGenerator(latent_dim, num_classes, channels, image_size, g_width)
        self.discriminator = DCGANDiscriminator(
            num_classes, channels, image_size, d_width, projection
        )
        self.apply(dcgan_init)

    @property
    def class_names(self) -> list[str]:
        """The class names, indexed by label."""
        return list(self.config["class_names"])

    def sample(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Generate images in [0, 1]."""
        return (self.generator(z, labels) + 1.0) * 0.5
