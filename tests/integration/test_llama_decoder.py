"""The lean Llama decoder decodes what transformers' generate decodes, alone or batched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

from contentgen.errors import ValidationError
from contentgen.generators.llama_decoder import LlamaDecoder, shared_prefix_length, supports
from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.types import Prompt, Task


def tiny_llama(*, tied: bool, kv_heads: int = 2, seed: int = 0) -> Any:
    """A 3-layer random Llama with decisive logits (wide initialisation)."""
    config = LlamaConfig(
        vocab_size=300,
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=3,
        num_attention_heads=4,
        num_key_value_heads=kv_heads,
        max_position_embeddings=256,
        tie_word_embeddings=tied,
        initializer_range=0.3,
    )
    torch.manual_seed(seed)
    return LlamaForCausalLM(config).eval()


def greedy_reference(model: Any, prompt: list[int], new: int) -> list[int]:
    """transformers' own greedy decoding, run before the weights are re-laid out."""
    with torch.inference_mode():
        out = model.generate(
            torch.tensor([prompt]),
            attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
            max_new_tokens=new,
            min_new_tokens=new,
            do_sample=False,
        )
    return list(out[0].tolist())


def greedy(
    decoder: LlamaDecoder,
    prompts: list[list[int]],
    owners: list[int],
    new: int,
    stop_after: list[int] | None = None,
) -> list[list[int]]:
    """The decoder's greedy rows; row r reports itself finished after stop_after[r] tokens."""
    start = max(len(p) for p in prompts)

    def finished(ids: torch.Tensor) -> torch.Tensor:
        made = ids.shape[1] - start
        limits = stop_after or [new] * len(owners)
        return torch.tensor([made >= limit for limit in limits])

    with torch.inference_mode():
        return decoder.decode(
            prompts, owners, new, pick=lambda ids, logits: logits.argmax(-1), finished=finished
        )


@pytest.mark.parametrize(("tied", "kv_heads"), [(True, 2), (False, 4), (True, 1)])
def test_greedy_tokens_match_transformers_generate(tied: bool, kv_heads: int) -> None:
    model = tiny_llama(tied=tied, kv_heads=kv_heads)
    prompt = [5, 17, 42, 99, 3, 250, 7, 7, 64]
    expected = greedy_reference(model, prompt, 40)[len(prompt) :]
    assert greedy(LlamaDecoder(model), [prompt], [0], 40) == [expected]


def test_a_batch_with_a_shared_prefix_gives_each_row_its_own_greedy_output() -> None:
    model = tiny_llama(tied=True)
    shared = [11, 12, 13, 14, 15, 16, 17, 18]
    prompts = [shared + [40, 41], shared + [50], shared + [60, 61, 62, 63], shared + [70, 71]]
    expected = [greedy_reference(model, p, 24)[len(p) :] for p in prompts]
    decoder = LlamaDecoder(model)
    # Rows finish at different steps, so finished rows leave the batch along the way.
    stop_after = [5, 24, 9, 17]
    got = greedy(decoder, prompts, [0, 1, 2, 3], 24, stop_after)
    for row, want, limit in zip(got, expected, stop_after, strict=True):
        assert row[:limit] == want[:limit]


def test_rows_continuing_one_prompt_share_its_state() -> None:
    model = tiny_llama(tied=False)
    prompts = [[3, 4, 5, 6, 7], [3, 4, 5, 99]]
    expected = [greedy_reference(model, p, 12)[len(p) :] for p in prompts]
    got = greedy(LlamaDecoder(model), prompts, [0, 0, 1, 0, 1], 12)
    assert got == [expected[0], expected[0], expected[1], expected[0], expected[1]]


def test_the_shared_prefix_leaves_every_prompt_a_token_of_its_own() -> None:
    assert shared_prefix_length([[1, 2, 3]]) == 0
    assert shared_prefix_length([[1, 2, 3], [1, 2, 4]]) == 2
    assert shared_prefix_length([[1, 2], [1, 2, 3]]) == 1
    assert shared_prefix_length([[1, 2], [5, 2]]) == 0


def test_last_token_logits_agree_with_the_model_forward() -> None:
    model = tiny_llama(tied=True)
    prompt = list(range(10, 60))
    with torch.inference_mode():
        expected = model(torch.tensor([prompt])).logits[0, -1]
    decoder = LlamaDecoder(model)
    seen: list[torch.Tensor] = []

    def keep(ids: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
        seen.append(logits[0].clone())
        return logits.argmax(-1)

    with torch.inference_mode():
        decoder.decode([prompt], [0], 1, pick=keep, finished=lambda ids: torch.tensor([True]))
    torch.testing.assert_close(seen[0], expected, rtol=1e-4, atol=1e-4)


def test_relayout_shares_the_weights_and_keeps_batched_outputs() -> None:
    model = tiny_llama(tied=True)
    batch = torch.tensor([[1, 2, 3, 4, 5], [9, 8, 7, 6, 5]])
    with torch.inference_mode():
        before = model(batch).logits
    params_before = sum(p.numel() for p in model.parameters())
    LlamaDecoder(model)
    with torch.inference_mode():
        after = model(batch).logits
    torch.testing.assert_close(after, before, rtol=1e-4, atol=1e-4)  # another gemm order
    # No second copy: the same number of parameters, q/k/v views of one fused block.
    assert sum(p.numel() for p in model.parameters()) == params_before
    attention = model.model.layers[0].self_attn
    assert attention.q_proj.weight.untyped_storage().data_ptr() == (
        attention.v_proj.weight.untyped_storage().data_ptr()
    )
    assert model.lm_head.weight is model.model.embed_tokens.weight


def test_other_architectures_are_not_taken() -> None:
    gpt2 = GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=100))
    assert not supports(gpt2)
    with pytest.raises(ValueError, match="not a plain Llama-family model"):
        LlamaDecoder(gpt2)


def test_generator_fast_and_generate_paths_give_the_same_texts(
    tiny_llama_dir: Path, tmp_path: Path
) -> None:
    fast = TransformersGenerator(model=str(tiny_llama_dir), cache_dir=str(tmp_path), batch_size=4)
    slow = TransformersGenerator(
        model=str(tiny_llama_dir), cache_dir=str(tmp_path), batch_size=4, fast_decoder=False
    )
    fast.load()
    slow.load()
    assert fast._fast is not None and slow._fast is None
    examples = (("Write about a red mug", "Headline: Red mug"),)
    prompts = [
        Prompt(
            task=Task.MARKETING,
            text=f"Write about sneaker number {i}" + " in grey" * i,
            system="You write ad copy.",
            examples=examples,
            n=3,
            seed=i,
            max_new_tokens=8 + 2 * i,
        )
        for i in range(5)
    ]
    prompts.append(Prompt(task=Task.MARKETING, text="A lone greedy one", temperature=0))
    texts = [[c.text for c in cands] for cands in fast.generate(prompts)]
    assert texts == [[c.text for c in cands] for cands in slow.generate(prompts)]
    alone = [[c.text for c in fast.generate([p])[0]] for p in prompts]
    assert texts == alone


def test_fast_decoder_must_be_a_boolean() -> None:
    with pytest.raises(ValidationError, match="fast_decoder"):
        TransformersGenerator(fast_decoder="yes")


def test_models_with_wrapped_projections_keep_transformers_path() -> None:
    model = tiny_llama(tied=True)

    class Wrapped(torch.nn.Linear):
        """Stands in for an adapter or quantized layer that subclasses Linear."""

    old = model.model.layers[0].mlp.up_proj
    model.model.layers[0].mlp.up_proj = Wrapped(old.in_features, old.out_features, bias=False)
    assert not supports(model)
