"""Seeded sampling from the conditional VAE and GAN: one latent per image, from its own seed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch


def latents(
    latent_dim: int, seeds: Sequence[int], device: str | torch.device = "cpu"
) -> torch.Tensor:
    """Prior draws z ~ N(0, I), row i from a generator seeded `seeds[i]` (so image i never
    depends on how many images were asked for)."""
    rows = [torch.randn(latent_dim, generator=torch.Generator().manual_seed(int(s))) for s in seeds]
    return torch.stack(rows).to(device) if rows else torch.zeros(0, latent_dim, device=device)


@torch.inference_mode()
def sample_images(
    model: Any, labels: Sequence[int], seeds: Sequence[int], chunk: int = 512
) -> torch.Tensor:
    """Images (N, C, H, W) in [0, 1] for the given class labels and per-image seeds."""
    if len(labels) != len(seeds):
        raise ValueError(f"{len(labels)} labels but {len(seeds)} seeds")
    model.eval()
    device = next(model.parameters()).device
    parts = []
    for start in range(0, len(labels), chunk):
        z = latents(model.latent_dim, seeds[start : start + chunk], device)
        y = torch.as_tensor(list(labels[start : start + chunk]), dtype=torch.long, device=device)
        parts.append(model.sample(z, y).clamp_(0.0, 1.0))
    return torch.cat(parts) if parts else torch.zeros(0)


def balanced_labels(num_classes: int, per_class: int) -> list[int]:
    """`per_class` labels of each class, classes interleaved."""
    return [c for _ in range(per_class) for c in range(num_classes)]
