"""One optimisation step per model kind: losses, optimisers, health signals (no orchestration)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch
from torch import nn
from torch.nn import functional as F

from contentgen.errors import ValidationError
from contentgen.training.classifier import ImageClassifier
from contentgen.training.gan import ConditionalDCGAN
from contentgen.training.vae import ConditionalVAE


class TrainLoop:
    """The step of one model kind; the trainer owns data order, RNG, checkpoints and guards."""

    kind: ClassVar[str]
    model_class: ClassVar[type[Any]]
    default_lr: ClassVar[float]
    model: Any

    def __init__(self, model: nn.Module, lr: float | None = None) -> None:
        self.model = model
        self.lr = float(lr if lr is not None else self.default_lr)

    def optimizers(self) -> Mapping[str, torch.optim.Optimizer]:
        """The optimisers whose state a checkpoint must keep, by name."""
        raise NotImplementedError

    def step(
        self, images: torch.Tensor, labels: torch.Tensor, noise: torch.Generator
    ) -> dict[str, float]:
        """One update on a batch of images in [0, 1]; returns the losses to log and check."""
        raise NotImplementedError

    def collapsed(self, losses: Mapping[str, float]) -> bool:
        """True when this step shows a sign of mode/discriminator collapse."""
        return False

    def set_lr(self, lr: float) -> None:
        """Change the learning rate (e.g. lower it to resume after a divergence)."""
        self.lr = lr
        for optimizer in self.optimizers().values():
            for group in optimizer.param_groups:
                group["lr"] = lr * group.get("lr_scale", 1.0)


class ClassifierLoop(TrainLoop):
    """Cross-entropy with Adam."""

    kind = "classifier"
    model_class = ImageClassifier
    default_lr = 1e-3

    def __init__(self, model: ImageClassifier, lr: float | None = None) -> None:
        super().__init__(model, lr)
        self.optimizer = torch.optim.Adam(model.parameters(), lr=self.lr)

    def optimizers(self) -> Mapping[str, torch.optim.Optimizer]:
        return {"model": self.optimizer}

    def step(
        self, images: torch.Tensor, labels: torch.Tensor, noise: torch.Generator
    ) -> dict[str, float]:
        self.model.train()
        logits = self.model(images)
        loss = F.cross_entropy(logits, labels)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        accuracy = (logits.argmax(1) == labels).float().mean()
        return {"loss": loss.item(), "acc": accuracy.item()}


class VaeLoop(TrainLoop):
    """Minimise the negative ELBO (nats per image) with Adam."""

    kind = "vae"
    model_class = ConditionalVAE
    default_lr = 1e-3
    # The prior's few parameters chase the moving aggregate posterior; at the network's learning
    # rate they lag behind it and samples land off the posterior's mass.
    prior_lr_scale = 10.0

    def __init__(self, model: ConditionalVAE, lr: float | None = None) -> None:
        super().__init__(model, lr)
        prior = [p for n, p in model.named_parameters() if n.startswith("prior_")]
        rest = [p for n, p in model.named_parameters() if not n.startswith("prior_")]
        groups: list[dict[str, Any]] = [{"params": rest, "lr_scale": 1.0}]
        if prior:
            groups.append({"params": prior, "lr_scale": self.prior_lr_scale})
        self.optimizer = torch.optim.Adam(groups, lr=self.lr)
        self.set_lr(self.lr)

    def optimizers(self) -> Mapping[str, torch.optim.Optimizer]:
        return {"model": self.optimizer}

    def step(
        self, images: torch.Tensor, labels: torch.Tensor, noise: torch.Generator
    ) -> dict[str, float]:
        self.model.train()
        neg_elbo, recon, kl = self.model.negative_elbo(images, labels, noise)
        loss = neg_elbo.mean()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return {"loss": loss.item(), "recon": recon.mean().item(), "kl": kl.mean().item()}


class GanLoop(TrainLoop):
    """Non-saturating GAN loss; Adam(lr 2e-4, beta1 0.5) for both nets as in DCGAN."""

    kind = "gan"
    model_class = ConditionalDCGAN
    default_lr = 2e-4
    collapse_threshold = 1e-3

    def __init__(self, model: ConditionalDCGAN, lr: float | None = None) -> None:
        super().__init__(model, lr)
        betas = (0.5, 0.999)
        self.g_opt = torch.optim.Adam(model.generator.parameters(), lr=self.lr, betas=betas)
        self.d_opt = torch.optim.Adam(model.discriminator.parameters(), lr=self.lr, betas=betas)

    def optimizers(self) -> Mapping[str, torch.optim.Optimizer]:
        return {"generator": self.g_opt, "discriminator": self.d_opt}

    def step(
        self, images: torch.Tensor, labels: torch.Tensor, noise: torch.Generator
    ) -> dict[str, float]:
        gan = self.model
        gan.train()
        real = images * 2.0 - 1.0
        z = torch.randn(len(images), gan.latent_dim, generator=noise, device=images.device)
        fake = gan.generator(z, labels)
        d_real = gan.discriminator(real, labels)
        d_fake = gan.discriminator(fake.detach(), labels)
        d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
        self.d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        self.d_opt.step()
        # Non-saturating generator loss: maximise log D(G(z)), not minimise log(1 - D(G(z))).
        g_loss = F.softplus(-gan.discriminator(fake, labels)).mean()
        self.g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        self.g_opt.step()
        return {
            "d_loss": d_loss.item(),
            "g_loss": g_loss.item(),
            "d_real": torch.sigmoid(d_real).mean().item(),
            "d_fake": torch.sigmoid(d_fake).mean().item(),
        }

    def collapsed(self, losses: Mapping[str, float]) -> bool:
        return losses["d_loss"] < self.collapse_threshold


LOOPS: Mapping[str, type[TrainLoop]] = {
    "vae": VaeLoop,
    "gan": GanLoop,
    "classifier": ClassifierLoop,
}


def loop_class(kind: str) -> type[TrainLoop]:
    """The training loop for `kind` ("vae", "gan" or "classifier")."""
    try:
        return LOOPS[kind]
    except KeyError:
        raise ValidationError("kind", f"unknown model kind {kind!r}", LOOPS) from None
