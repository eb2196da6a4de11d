"""A LoRA adapter merged into the Q8_0 GGUF that builtin:openvino decodes (real SmolLM2, slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from contentgen.modelfiles import resolve_text_model
from contentgen.modelfiles.adapters import load_adapter_dir
from contentgen.modelfiles.gguf_adapter import rotary_rows
from contentgen.modelfiles.gguf_requant import ensure_q8_gguf, q8_dir

pytestmark = pytest.mark.slow
CHECKED = (
    "model.layers.0.self_attn.q_proj.weight",
    "model.layers.0.self_attn.k_proj.weight",
    "model.layers.7.self_attn.v_proj.weight",
    "model.layers.15.self_attn.o_proj.weight",
    "model.layers.29.mlp.gate_proj.weight",
    "model.layers.29.mlp.down_proj.weight",
)


def test_the_rotary_row_order_undoes_the_one_transformers_reads_gguf_with() -> None:
    from transformers.modeling_gguf_pytorch_utils import LlamaTensorProcessor

    reader = LlamaTensorProcessor()
    rows = torch.arange(9 * 64 * 5, dtype=torch.float32).reshape(9 * 64, 5).numpy()
    for heads in (9, 3):
        gguf_order = rotary_rows(rows, heads)
        assert (gguf_order != rows).any()
        assert (reader._reverse_permute_weights(gguf_order, heads, heads) == rows).all()


def test_the_merged_q8_gguf_holds_the_weights_peft_merges(tmp_path: Path) -> None:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    resolved = resolve_text_model("smollm2")
    plain = AutoModelForCausalLM.from_pretrained(resolved.path, dtype=torch.float32)
    base_weights = {k: v.clone() for k, v in plain.state_dict().items() if k in CHECKED}
    torch.manual_seed(0)
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False)
    peft_model = get_peft_model(plain, config)
    peft_model.save_pretrained(tmp_path / "adapter")
    merged = peft_model.merge_and_unload().state_dict()
    adapter = load_adapter_dir(tmp_path / "adapter")

    written = ensure_q8_gguf(resolved, tmp_path / "cache", adapter)
    assert written.parent == q8_dir(resolved, tmp_path / "cache", adapter)
    assert written.parent != q8_dir(resolved, tmp_path / "cache")  # the plain copy is apart
    read_back = AutoModelForCausalLM.from_pretrained(
        written.parent, gguf_file=written.name, dtype=torch.float32
    ).state_dict()
    for name in CHECKED:
        delta = merged[name] - base_weights[name]
        rounding = read_back[name] - merged[name]
        # Q8_0 rounds each weight; a misplaced delta (wrong tensor or row order) would not fit.
        assert rounding.norm() < 0.1 * delta.norm(), name
