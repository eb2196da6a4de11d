"""A small CNN image classifier; its penultimate layer is the feature space of the FID metric."""

from __future__ import annotations

import torch
from torch import nn

from contentgen.training.hub import PretrainedMixin
from contentgen.training.layers import check_shape


class ImageClassifier(PretrainedMixin, nn.Module):
    """conv-BN-ReLU-pool x2 -> dense feature layer -> dropout -> class logits."""

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
    ) -> None:
        nn.Module.__init__(self)
        names = check_shape(image_size, channels, num_classes, class_names)
        self._resolved(class_names=names)  # the rest is recorded by the mixin as given
        s = image_size // 4
        self.body = nn.Sequential(
            nn.Conv2d(channels, width, 3, 1, 1),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, 1, 1),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(),
            nn.MaxPool2d(2),
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

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1] -> penultimate-layer features (N, feature_dim)."""
        return self.body((x - 0.5) / 0.5)  # type: ignore[no-any-return]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1] -> class logits."""
        return self.head(self.features(x))  # type: ignore[no-any-return]
