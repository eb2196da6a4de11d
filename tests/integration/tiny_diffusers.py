"""A tiny Stable Diffusion pipeline built from configs and saved with save_pretrained (no weights).

No diffusers-loadable pretrained pipeline ships in any package, so the diffusers paths are
tested on this: a UNet, VAE, CLIP text encoder, tokenizer and (optionally) safety checker with a
few channels each, random weights, saved to disk and loaded back by `builtin:diffusers` offline.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch


def _byte_alphabet() -> list[str]:
    """GPT-2/CLIP byte-level BPE alphabet: 256 printable stand-ins for the 256 byte values."""
    kept = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    extra = [b for b in range(256) if b not in kept]
    return [chr(c) for c in kept] + [chr(256 + i) for i in range(len(extra))]


def _tokenizer(folder: Path):  # noqa: ANN202
    from transformers import CLIPTokenizer

    merges = ["r e", "re d</w>", "d r", "e s", "es s</w>"]
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for token in [
        *_byte_alphabet(),
        *(c + "</w>" for c in _byte_alphabet()),
        *(m.replace(" ", "") for m in merges),
    ]:
        vocab.setdefault(token, len(vocab))
    folder.mkdir(parents=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    return CLIPTokenizer.from_pretrained(str(folder), model_max_length=77), len(vocab)


def _set_checker_threshold(folder: Path, weight: float) -> None:
    """Rewrite the saved checker's concept thresholds: -2 flags every image, +2 none."""
    from safetensors.torch import load_file, save_file

    path = folder / "safety_checker" / "model.safetensors"
    weights = load_file(str(path))
    weights["concept_embeds_weights"] = torch.full_like(weights["concept_embeds_weights"], weight)
    save_file(weights, str(path), metadata={"format": "pt"})


def save_tiny_pipelines(root: Path) -> dict[str, Path]:
    """One tiny pipeline saved three ways: checker flags all, checker flags none, no checker."""
    from diffusers import (
        AutoencoderKL,
        DDIMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker
    from transformers import (
        CLIPConfig,
        CLIPImageProcessor,
        CLIPTextConfig,
        CLIPTextModel,
    )

    torch.set_num_threads(1)
    torch.manual_seed(0)
    tokenizer, vocab_size = _tokenizer(root / "tokenizer-files")
    text = {
        "vocab_size": vocab_size,
        "hidden_size": 16,
        "intermediate_size": 32,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "bos_token_id": 0,
        "eos_token_id": 1,
        "pad_token_id": 1,
    }
    vision = {
        "hidden_size": 16,
        "intermediate_size": 32,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "image_size": 32,
        "patch_size": 8,
    }
    components = {
        "unet": UNet2DConditionModel(
            block_out_channels=(8, 16),
            layers_per_block=1,
            sample_size=8,
            in_channels=4,
            out_channels=4,
            down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
            up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
            cross_attention_dim=16,
            norm_num_groups=4,
            attention_head_dim=2,
        ),
        "vae": AutoencoderKL(
            block_out_channels=(8, 16),
            in_channels=3,
            out_channels=3,
            latent_channels=4,
            norm_num_groups=4,
            down_block_types=("DownEncoderBlock2D",) * 2,
            up_block_types=("UpDecoderBlock2D",) * 2,
        ),
        "text_encoder": CLIPTextModel(CLIPTextConfig(**text)),
        "tokenizer": tokenizer,
        "scheduler": DDIMScheduler(
            beta_start=0.00085,
            beta_end=0.012,
            beta_schedule="scaled_linear",
            clip_sample=False,
            set_alpha_to_one=False,
            steps_offset=1,
        ),
        "safety_checker": StableDiffusionSafetyChecker(
            CLIPConfig(text_config=text, vision_config=vision, projection_dim=16)
        ),
        "feature_extractor": CLIPImageProcessor(
            size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
        ),
    }
    StableDiffusionPipeline(**components, requires_safety_checker=True).save_pretrained(
        str(root / "flag-all")
    )
    shutil.copytree(root / "flag-all", root / "flag-none")
    _set_checker_threshold(root / "flag-all", -2.0)
    _set_checker_threshold(root / "flag-none", 2.0)
    components["safety_checker"] = components["feature_extractor"] = None
    StableDiffusionPipeline(**components, requires_safety_checker=False).save_pretrained(
        str(root / "no-checker")
    )
    return {name: root / name for name in ("flag-all", "flag-none", "no-checker")}
