"""Small building blocks shared by the VAE, GAN and classifier networks."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrize

from contentgen.errors import ValidationError


def check_shape(
    image_size: int, channels: int, num_classes: int, class_names: list[str] | None
) -> list[str]:
    """Validate the image/class settings every model shares; return the class names."""
    if image_size < 8 or image_size % 4:
        raise ValidationError(
            "image_size", f"must be a multiple of 4 and at least 8, got {image_size}"
        )
    if channels not in (1, 3):
        raise ValidationError(
            "channels", f"must be 1 (grayscale) or 3 (RGB), got {channels}", (1, 3)
        )
    if num_classes < 1:
        raise ValidationError("num_classes", f"must be at least 1, got {num_classes}")
    names = list(class_names) if class_names is not None else [str(i) for i in range(num_classes)]
    if len(names) != num_classes:
        raise ValidationError("class_names", f"has {len(names)} names for {num_classes} classes")
    return names


def one_hot(
    labels: torch.Tensor, num_classes: int, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """Labels (N,) -> one-hot rows (N, K)."""
    return nn.functional.one_hot(labels, num_classes).to(dtype)


def class_maps(labels: torch.Tensor, num_classes: int, size: int) -> torch.Tensor:
    """Labels (N,) -> one-hot planes (N, K, size, size) to concatenate to image channels."""
    return one_hot(labels, num_classes)[:, :, None, None].expand(-1, -1, size, size)


def dcgan_init(module: nn.Module) -> None:
    """Radford et al. (2015) initialisation: N(0, 0.02) weights, BN scale N(1, 0.02)."""
    if isinstance(module, nn.Conv2d | nn.ConvTranspose2d | nn.Linear | nn.Embedding):
        # A spectrally normalised layer computes `weight`; the stored tensor is `original`.
        weight: torch.Tensor = (
            module.get_parameter("parametrizations.weight.original")
            if parametrize.is_parametrized(module, "weight")
            else module.weight
        )
        nn.init.normal_(weight, 0.0, 0.02)
        bias = getattr(module, "bias", None)
        if bias is not None:
            nn.init.zeros_(bias)
    elif isinstance(module, nn.BatchNorm2d | nn.BatchNorm1d) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
