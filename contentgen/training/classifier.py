"""A small CNN image classifier; its penultimate layer is the feature space of the FID metric."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from contentgen.errors import ValidationError
from contentgen.training.hub import PretrainedMixin
from contentgen.training.layers import check_shape


def _stage(channels: int, width: int, convs: int) -> list[nn.Module]:
    """`convs` x (3x3 conv -> BN -> ReLU), then 2x2 max-pool."""
    layers: list[nn.Module] = []
    for index in range(convs):
        layers += [
            nn.Conv2d(channels if index == 0 else width, width, 3, 1, 1),
            nn.BatchNorm2d(width),
            nn.ReLU(),
        ]
    return [*layers, nn.MaxPool2d(2)]


def shift_and_flip(images: torch.Tensor, shift: int, noise: torch.Generator) -> torch.Tensor:
    """Each image moved by up to `shift` pixels each way (zero fill), mirrored with p = 0.5."""
    n, size = images.shape[0], images.shape[-1]
    padded = F.pad(images, (shift, shift, shift, shift))
    offsets = torch.randint(0, 2 * shift + 1, (2, n), generator=noise)
    span = torch.arange(size)
    rows = (offsets[0][:, None] + span)[:, :, None]
    cols = (offsets[1][:, None] + span)[:, None, :]
    # The two index tensors sit apart (the channel slice between), so indexing puts them first.
    moved = padded[torch.arange(n)[:, None, None], :, rows, cols].permute(0, 3, 1, 2)
    mirror = torch.rand(n, generator=noise) < 0.5
    return torch.where(mirror[:, None, None, None], moved.flip(-1), moved)


class ImageClassifier(PretrainedMixin, nn.Module):
    """Two conv stages (`convs_per_stage` conv-BN-ReLU, pool) -> dense features -> dropout -> logits.

    `augment_shift` > 0 trains on images shifted by up to that many pixels and mirrored at random
    (ClassifierLoop applies it); 0 trains on the images as they are.
    """

    model_type = "image-classifier"

    def __init__(
        self,
        image_size: int = 28,
        channels: int = 1,
        num_classes: int = 10,
        class_names: list[str] | None = None,
        width: int = 32,
        feature_dim: int = 128,
        dropout: float = 0.3,
        convs_per_stage: int = 1,
        augment_shift: int = 0,
    ) -> None:
        nn.Module.__init__(self)
        names = check_shape(image_size, channels, num_classes, class_names)
        if convs_per_stage not in (1, 2, 3):
            raise ValidationError(
                "convs_per_stage", f"must be 1, 2 or 3, got {convs_per_stage}", (1, 2, 3)
            )
        if not 0 <= augment_shift <= image_size // 4:
            raise ValidationError(
                "augment_shift", f"must be 0..{image_size // 4} pixels, got {augment_shift}"
            )
        self._resolved(class_names=names)  # the rest is recorded by the mixin as given
        self.augment_shift = augment_shift
        s = image_size // 4
        # One flat Sequential, so a one-conv-per-stage network keeps the layer indices (and so the
        # state_dict keys) of the checkpoints saved before the option existed.
        self.body = nn.Sequential(
            *_stage(channels, width, convs_per_stage),
            *_stage(width, 2 * width, convs_per_stage),
            nn.Flatten(),
            nn.Linear(2 * width * s * s, feature_dim),
            nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(feature_dim, num_classes))

    @property
    def class_names(self) -> list[str]:
        """The class names, indexed by label."""
        return list(self.config["class_names"])

    def describe(self) -> str:
        """One line for the model card."""
        return "Small CNN classifier; its penultimate features define contentgen's classifier-FID."

    def augment(self, images: torch.Tensor, noise: torch.Generator) -> torch.Tensor:
        """The training view of a batch: shifted and mirrored when `augment_shift` > 0."""
        if not self.augment_shift:
            return images
        return shift_and_flip(images, self.augment_shift, noise)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1] -> penultimate-layer features (N, feature_dim)."""
        return self.body((x - 0.5) / 0.5)  # type: ignore[no-any-return]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1] -> class logits."""
        return self.head(self.features(x))  # type: ignore[no-any-return]
