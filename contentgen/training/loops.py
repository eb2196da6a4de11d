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
    """Cross-entropy with Adam, on the model's augmented view of each batch."""

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
        images = self.model.augment(images, noise)
        logits = self.model(images)
        loss = F.cross_entropy(logits, labels)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        accuracy = (logits.argmax(1) == labels).float().mean()
        return {"loss": loss.item(), "acc": accuracy.item()}


class VaeLoop(TrainLoop):
    """Minimise recon + kl_weight * KL (the negative ELBO at weight 1, nats per image) with Adam.

    A model with a critic also trains it (non-saturating GAN loss, real images against images
    decoded from prior samples) and adds `adversarial_weight` times the decoder's GAN loss. A
    critic with a class head (the model's `aux_weight`) also learns real images' classes, and the
    decoder pays `adversarial_weight * aux_weight` times that head's cross-entropy on its samples.
    """

    kind = "vae"
    model_class = ConditionalVAE
    default_lr = 1e-3
    # The prior's few parameters chase the moving aggregate posterior; at the network's learning
    # rate they lag behind it and samples land off the posterior's mass.
    prior_lr_scale = 10.0
    # The critic learns at DCGAN's 2e-4 when the VAE's rate is its default 1e-3.
    critic_lr_scale = 0.2

    def __init__(self, model: ConditionalVAE, lr: float | None = None) -> None:
        super().__init__(model, lr)
        named = list(model.named_parameters())
        prior = [p for n, p in named if n.startswith("prior_")]
        rest = [p for n, p in named if not n.startswith(("prior_", "critic."))]
        groups: list[dict[str, Any]] = [{"params": rest, "lr_scale": 1.0}]
        if prior:
            groups.append({"params": prior, "lr_scale": self.prior_lr_scale})
        self.optimizer = torch.optim.Adam(groups, lr=self.lr)
        self.critic_opt = (
            torch.optim.Adam(
                [{"params": model.critic.parameters(), "lr_scale": self.critic_lr_scale}],
                lr=self.lr,
                betas=(0.5, 0.999),
            )
            if model.critic is not None
            else None
        )
        self.set_lr(self.lr)

    def optimizers(self) -> Mapping[str, torch.optim.Optimizer]:
        if self.critic_opt is None:
            return {"model": self.optimizer}
        return {"model": self.optimizer, "critic": self.critic_opt}

    def step(
        self, images: torch.Tensor, labels: torch.Tensor, noise: torch.Generator
    ) -> dict[str, float]:
        vae = self.model
        vae.train()
        _, recon, kl = vae.negative_elbo(images, labels, noise)
        loss = (recon + vae.kl_weight * kl).mean()
        logged: dict[str, float] = {}
        if vae.critic is not None and self.critic_opt is not None:
            eps = torch.randn(len(images), vae.latent_dim, generator=noise, device=images.device)
            fake = vae.sample(eps, labels) * 2.0 - 1.0
            d_real, real_classes = vae.critic.judge(images * 2.0 - 1.0, labels)
            d_fake = vae.critic(fake.detach(), labels)
            d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
            if real_classes is not None:
                aux_real = F.cross_entropy(real_classes, labels)
                d_loss = d_loss + vae.aux_weight * aux_real
                logged["aux_real"] = aux_real.item()
            self.critic_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            self.critic_opt.step()
            vae.critic.requires_grad_(False)  # the decoder's loss must not move the critic
            g_logits, fake_classes = vae.critic.judge(fake, labels)
            g_adv = F.softplus(-g_logits).mean()
            vae.critic.requires_grad_(True)
            loss = loss + vae.adversarial_weight * g_adv
            if fake_classes is not None:
                aux_fake = F.cross_entropy(fake_classes, labels)
                loss = loss + vae.adversarial_weight * vae.aux_weight * aux_fake
                logged["aux_fake"] = aux_fake.item()
            logged.update(d_loss=d_loss.item(), g_adv=g_adv.item())
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return {"loss": loss.item(), "recon": recon.mean().item(), "kl": kl.mean().item(), **logged}


class GanLoop(TrainLoop):
    """Non-saturating or hinge GAN loss (the model's `loss`); Adam(lr 2e-4, beta1 0.5) as in DCGAN.

    With the model's `aux_weight`, the discriminator's class head learns the real images' classes
    and the generator is also scored by it (AC-GAN). After each generator step the model's EMA
    generator (when it keeps one) is updated.
    """

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
        hinge = gan.loss == "hinge"
        real = images * 2.0 - 1.0
        z = torch.randn(len(images), gan.latent_dim, generator=noise, device=images.device)
        fake = gan.generator(z, labels)
        d_real, real_classes = gan.discriminator.judge(real, labels)
        d_fake = gan.discriminator(fake.detach(), labels)
        if hinge:
            d_loss = F.relu(1.0 - d_real).mean() + F.relu(1.0 + d_fake).mean()
        else:
            d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
        aux: dict[str, float] = {}
        if real_classes is not None:
            real_ce = F.cross_entropy(real_classes, labels)
            d_loss = d_loss + gan.aux_weight * real_ce
            aux["aux_real"] = real_ce.item()
        self.d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        self.d_opt.step()
        g_logits, fake_classes = gan.discriminator.judge(fake, labels)
        # Non-saturating generator loss: maximise log D(G(z)), not minimise log(1 - D(G(z))).
        g_loss = -g_logits.mean() if hinge else F.softplus(-g_logits).mean()
        if fake_classes is not None:
            fake_ce = F.cross_entropy(fake_classes, labels)
            g_loss = g_loss + gan.aux_weight * fake_ce
            aux["aux_fake"] = fake_ce.item()
        self.g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        self.g_opt.step()
        gan.update_ema(z, labels)
        return {
            "d_loss": d_loss.item(),
            "g_loss": g_loss.item(),
            "d_real": torch.sigmoid(d_real).mean().item(),
            "d_fake": torch.sigmoid(d_fake).mean().item(),
            **aux,
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
