"""A lean decoder for Llama-family models on CPU: static KV cache, shared-prefix prefill.

transformers' generic `generate` loop pays, per token, for Python dispatch (about as long as a
small model's weights take to stream at batch 1) and for `DynamicCache`, which concatenates the
whole cache every step (a third of a batched ad-copy job's time). This module runs the same
weights with

- the weights laid out input-major, q|k|v and gate|up fused, as views the transformers model
  keeps using (one copy in memory, and `generate` still works on it);
- a preallocated cache, written in place;
- the prompt prefix every sequence of a batch shares (system prompt, few-shot turns, the start of
  the user turn) computed and stored once: later tokens attend to it through one grouped matmul
  (cascade attention) instead of a copy per sequence;
- finished sequences dropped from the batch as it shrinks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from contentgen.generators.textrows import common_prefix_length

SUPPORTED_MODEL_TYPES: frozenset[str] = frozenset({"llama"})
Pick = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Finished = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class _Layer:
    """One decoder layer's weights, as views of the model's own (re-laid-out) parameters."""

    attn_norm: torch.Tensor
    qkv: torch.Tensor  # (hidden, q + k + v), input-major
    out: torch.Tensor  # (q, hidden)
    mlp_norm: torch.Tensor
    gate_up: torch.Tensor  # (hidden, 2 * intermediate)
    down: torch.Tensor  # (intermediate, hidden)


@dataclass
class _Cache:
    """Keys and values: the shared prefix once, then each live sequence's own slots."""

    prefix_k: torch.Tensor | None  # (layers, kv_heads, prefix, dim)
    prefix_v: torch.Tensor | None
    rows_k: torch.Tensor  # (layers, rows, kv_heads, slots, dim)
    rows_v: torch.Tensor
    valid: torch.Tensor | None  # (rows, slots) bool: False where a prompt was padded


def supports(model: Any) -> bool:
    """Whether `model` is a plain Llama-family causal LM this decoder reproduces exactly."""
    config = getattr(model, "config", None)
    if getattr(config, "model_type", None) not in SUPPORTED_MODEL_TYPES:
        return False
    if getattr(config, "attention_bias", False) or getattr(config, "mlp_bias", False):
        return False
    if getattr(config, "hidden_act", "silu") != "silu":
        return False
    inner: Any = getattr(model, "model", None)
    if not all(hasattr(inner, name) for name in ("embed_tokens", "layers", "norm", "rotary_emb")):
        return False
    # Adapters or quantized layers wrap their Linear: those models keep transformers' path.
    return (
        all(
            type(linear) is torch.nn.Linear
            for layer in inner.layers
            for linear in (
                layer.self_attn.q_proj,
                layer.self_attn.k_proj,
                layer.self_attn.v_proj,
                layer.self_attn.o_proj,
                layer.mlp.gate_proj,
                layer.mlp.up_proj,
                layer.mlp.down_proj,
            )
        )
        and type(model.get_output_embeddings()) is torch.nn.Linear
    )


def shared_prefix_length(prompts: Sequence[Sequence[int]]) -> int:
    """Tokens all `prompts` start with, leaving each at least one token of its own."""
    # One prompt has nothing to share: a separate prefix pass would only cost time.
    return common_prefix_length(prompts) if len(prompts) > 1 else 0


def _input_major(linears: list[torch.nn.Linear]) -> torch.Tensor:
    """Fuse `linears` into one (in, sum(out)) tensor and make each weight a view of it."""
    fused = torch.cat([lin.weight.detach() for lin in linears]).t().contiguous()
    start = 0
    for lin in linears:
        width = lin.out_features
        lin.weight = torch.nn.Parameter(fused[:, start : start + width].t(), requires_grad=False)
        start += width
    return fused


class LlamaDecoder:
    """Batched greedy/sampled decoding over a Llama model's weights (re-laid out in place)."""

    def __init__(self, model: Any) -> None:
        """Re-lay out `model`'s weights in place (a transformers Llama causal LM) and wrap them."""
        if not supports(model):
            raise ValueError(f"{type(model).__name__} is not a plain Llama-family model")
        config = model.config
        inner = model.model
        self.heads = int(config.num_attention_heads)
        self.kv_heads = int(config.num_key_value_heads)
        self.group = self.heads // self.kv_heads
        self.head_dim = int(
            getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
        )
        self.hidden = int(config.hidden_size)
        self.intermediate = int(config.intermediate_size)
        self.eps = float(config.rms_norm_eps)
        self.scale = self.head_dim**-0.5
        self.rotary = inner.rotary_emb
        with torch.no_grad():
            self.layers = [
                _Layer(
                    attn_norm=layer.input_layernorm.weight.detach(),
                    qkv=_input_major(
                        [layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj]
                    ),
                    out=_input_major([layer.self_attn.o_proj]),
                    mlp_norm=layer.post_attention_layernorm.weight.detach(),
                    gate_up=_input_major([layer.mlp.gate_proj, layer.mlp.up_proj]),
                    down=_input_major([layer.mlp.down_proj]),
                )
                for layer in inner.layers
            ]
            self.norm = inner.norm.weight.detach()
            head = model.get_output_embeddings()
            tied = head.weight is inner.embed_tokens.weight
            self.head = _input_major([head])
            if tied:
                # One copy serves both: an embedding lookup gathers a strided column, cheap.
                inner.embed_tokens.weight = head.weight
            self.embed = inner.embed_tokens.weight.detach()
        self.device = self.embed.device
        self.dtype = self.embed.dtype

    def decode(
        self,
        prompts: Sequence[Sequence[int]],
        owners: Sequence[int],
        max_new_tokens: int,
        pick: Pick,
        finished: Finished,
    ) -> list[list[int]]:
        """New tokens for each row; row r continues `prompts[owners[r]]`.

        `pick(ids, logits)` chooses every row's next token from (rows, vocab) logits and the ids
        so far (each row left-padded to the longest prompt); `finished(ids)` says which rows are
        done (a row, once done, stays done). Decoding stops when every row is done or after
        `max_new_tokens` steps.
        """
        rows = len(owners)
        prefix = shared_prefix_length(prompts)
        own = [list(p[prefix:]) for p in prompts]
        width = max(len(o) for o in own)
        rope = self._rope(prefix + width + max_new_tokens)
        prefix_k = prefix_v = None
        if prefix:
            prefix_k, prefix_v = self._prefill_prefix(list(prompts[0][:prefix]), rope)
        keys, values, valid, logits = self._prefill_rows(own, prefix, prefix_k, prefix_v, rope)
        index = torch.tensor(owners, device=self.device)
        slots = width + max_new_tokens
        shape = (len(self.layers), rows, self.kv_heads, slots, self.head_dim)
        cache = _Cache(
            prefix_k,
            prefix_v,
            torch.empty(shape, dtype=self.dtype, device=self.device),
            torch.empty(shape, dtype=self.dtype, device=self.device),
            None
            if valid is None
            else torch.ones(rows, slots, dtype=torch.bool, device=self.device),
        )
        cache.rows_k[:, :, :, :width] = keys[:, index]
        cache.rows_v[:, :, :, :width] = values[:, index]
        if valid is not None and cache.valid is not None:
            cache.valid[:, :width] = valid[index]
        logits = logits[index]
        lengths = torch.tensor([prefix + len(own[o]) for o in owners], device=self.device)
        ids = self._padded([list(prompts[o]) for o in owners])
        live = torch.arange(rows, device=self.device)  # rows still in the cache, in cache order
        scores = torch.zeros(rows, logits.shape[-1], dtype=logits.dtype, device=self.device)
        for step in range(max_new_tokens):
            scores[live] = logits
            chosen = pick(ids, scores)
            ids = torch.cat((ids, chosen.unsqueeze(1)), dim=1)
            done = finished(ids)
            if bool(done.all()) or step == max_new_tokens - 1:
                break
            keep = (~done[live]).nonzero().flatten()
            if keep.numel() <= 3 * live.numel() // 4:
                live, lengths = live[keep], lengths[keep]
                cache = self._select(cache, keep)
            logits = self._step(chosen[live], lengths + step, width + step, cache, rope)
        start = ids.shape[1] - (step + 1)
        return [ids[r, start:].tolist() for r in range(rows)]

    def _padded(self, prompts: list[list[int]]) -> torch.Tensor:
        """Prompts left-padded with 0 into one (rows, longest) tensor, for `pick`/`finished`."""
        longest = max(len(p) for p in prompts)
        out = torch.zeros(len(prompts), longest, dtype=torch.long)
        for r, prompt in enumerate(prompts):
            out[r, longest - len(prompt) :] = torch.tensor(prompt, dtype=torch.long)
        return out.to(self.device)

    def _rope(self, length: int) -> tuple[torch.Tensor, torch.Tensor]:
        """cos and sign-folded sin tables for positions 0..length-1, from the model's own rotary."""
        positions = torch.arange(length, device=self.device).unsqueeze(0)
        cos, sin = self.rotary(self.embed[:1], positions)
        half = self.head_dim // 2
        return cos[0], torch.cat((-sin[0, :, :half], sin[0, :, half:]), dim=-1)

    def _prefill_prefix(
        self, tokens: list[int], rope: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The shared prefix, once: its keys and values (layers, kv_heads, prefix, dim)."""
        count = len(tokens)
        positions = torch.arange(count, device=self.device).unsqueeze(0)
        shape = (len(self.layers), 1, self.kv_heads, count, self.head_dim)
        keys = torch.empty(shape, dtype=self.dtype, device=self.device)
        values = torch.empty(shape, dtype=self.dtype, device=self.device)

        def attend(i: int, query: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
            keys[i], values[i] = k, v
            return F.scaled_dot_product_attention(
                query, k, v, is_causal=True, enable_gqa=self.group > 1
            )

        self._layers(torch.tensor([tokens], device=self.device), positions, rope, attend)
        return keys[:, 0], values[:, 0]

    def _prefill_rows(
        self,
        own: list[list[int]],
        prefix: int,
        prefix_k: torch.Tensor | None,
        prefix_v: torch.Tensor | None,
        rope: tuple[torch.Tensor, torch.Tensor],
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """Each prompt's own tokens after the prefix, left-padded: keys, values, valid, logits."""
        count, width = len(own), max(len(o) for o in own)
        tokens = torch.zeros(count, width, dtype=torch.long)
        positions = torch.zeros(count, width, dtype=torch.long)
        valid = torch.zeros(count, width, dtype=torch.bool)
        for r, seq in enumerate(own):
            pad = width - len(seq)
            tokens[r, pad:] = torch.tensor(seq, dtype=torch.long)
            positions[r, pad:] = torch.arange(prefix, prefix + len(seq))
            valid[r, pad:] = True
        tokens, positions, valid = (t.to(self.device) for t in (tokens, positions, valid))
        padded = not bool(valid.all())
        shape = (len(self.layers), count, self.kv_heads, width, self.head_dim)
        keys = torch.empty(shape, dtype=self.dtype, device=self.device)
        values = torch.empty(shape, dtype=self.dtype, device=self.device)
        mask = None
        if padded or prefix:
            causal = torch.ones(width, width, dtype=torch.bool, device=self.device).tril()
            mask = causal & valid[:, None, :]  # (rows, query, key)
            # A padding query attends to itself only, so its softmax stays finite.
            mask |= torch.eye(width, dtype=torch.bool, device=self.device)
            if prefix:
                seen = torch.ones(count, width, prefix, dtype=torch.bool, device=self.device)
                mask = torch.cat((seen, mask), dim=-1)
            mask = mask.unsqueeze(1)

        def attend(i: int, query: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
            keys[i], values[i] = k, v
            if prefix_k is not None and prefix_v is not None:
                k = torch.cat((prefix_k[i].expand(count, -1, -1, -1), k), dim=2)
                v = torch.cat((prefix_v[i].expand(count, -1, -1, -1), v), dim=2)
            return F.scaled_dot_product_attention(
                query, k, v, attn_mask=mask, is_causal=mask is None, enable_gqa=self.group > 1
            )

        state = self._layers(tokens, positions, rope, attend)
        return keys, values, (valid if padded else None), self._logits(state[:, -1])

    def _step(
        self,
        tokens: torch.Tensor,
        positions: torch.Tensor,
        slot: int,
        cache: _Cache,
        rope: tuple[torch.Tensor, torch.Tensor],
    ) -> torch.Tensor:
        """One new token per live row at cache slot `slot`: the next logits (rows, vocab)."""
        rows = tokens.shape[0]
        end = slot + 1
        valid = None if cache.valid is None else cache.valid[:, :end]

        def attend(i: int, query: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
            cache.rows_k[i, :, :, slot : slot + 1] = k
            cache.rows_v[i, :, :, slot : slot + 1] = v
            grouped = query.reshape(rows, self.kv_heads, self.group, self.head_dim)
            own_k, own_v = cache.rows_k[i, :, :, :end], cache.rows_v[i, :, :, :end]
            scores = (grouped @ own_k.transpose(-1, -2)) * self.scale  # (rows, kv, group, end)
            if valid is not None:
                scores = scores.masked_fill(~valid[:, None, None, :], float("-inf"))
            if cache.prefix_k is None or cache.prefix_v is None:
                out = scores.softmax(-1) @ own_v
            else:
                # Cascade attention: every row's queries against the one shared prefix copy.
                flat = grouped.permute(1, 0, 2, 3).reshape(self.kv_heads, rows * self.group, -1)
                shared = (flat @ cache.prefix_k[i].transpose(-1, -2)) * self.scale
                shared = shared.view(self.kv_heads, rows, self.group, -1).permute(1, 0, 2, 3)
                probs = torch.cat((shared, scores), dim=-1).softmax(-1)
                width = shared.shape[-1]
                head = probs[..., :width].permute(1, 0, 2, 3).reshape(self.kv_heads, -1, width)
                from_prefix = (head @ cache.prefix_v[i]).view(self.kv_heads, rows, self.group, -1)
                out = from_prefix.permute(1, 0, 2, 3) + probs[..., width:] @ own_v
            return out.reshape(rows, self.heads, 1, self.head_dim)

        state = self._layers(tokens.unsqueeze(1), positions.unsqueeze(1), rope, attend)
        return self._logits(state[:, -1])

    def _select(self, cache: _Cache, keep: torch.Tensor) -> _Cache:
        """The cache with only rows `keep` (finished rows leave; the copy is paid once)."""
        return _Cache(
            cache.prefix_k,
            cache.prefix_v,
            cache.rows_k[:, keep],
            cache.rows_v[:, keep],
            None if cache.valid is None else cache.valid[keep],
        )

    def _layers(
        self,
        tokens: torch.Tensor,
        positions: torch.Tensor,
        rope: tuple[torch.Tensor, torch.Tensor],
        attend: Callable[[int, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
    ) -> torch.Tensor:
        """Every layer over (rows, count) tokens; `attend` stores keys/values and attends."""
        rows, count = tokens.shape
        q_width, kv_width = self.heads * self.head_dim, self.kv_heads * self.head_dim
        cos, sin = rope[0][positions].unsqueeze(2), rope[1][positions].unsqueeze(2)
        state = F.embedding(tokens, self.embed)
        for i, layer in enumerate(self.layers):
            qkv = self._norm(state, layer.attn_norm) @ layer.qkv
            qk = qkv[..., : q_width + kv_width].unflatten(-1, (-1, self.head_dim))
            flipped = qk.unflatten(-1, (2, self.head_dim // 2)).flip(-2).flatten(-2)
            qk = qk * cos + flipped * sin  # rotary embedding (rotate_half folded into sin)
            query = qk[:, :, : self.heads].transpose(1, 2)
            key = qk[:, :, self.heads :].transpose(1, 2)
            value = (
                qkv[..., q_width + kv_width :].unflatten(-1, (-1, self.head_dim)).transpose(1, 2)
            )
            attended = attend(i, query, key, value)
            mixed = attended.transpose(1, 2).reshape(rows, count, q_width)
            state = state + mixed @ layer.out
            gate_up = self._norm(state, layer.mlp_norm) @ layer.gate_up
            gate, up = gate_up.split(self.intermediate, dim=-1)
            state = state + (F.silu(gate) * up) @ layer.down
        return state

    def _logits(self, last: torch.Tensor) -> torch.Tensor:
        """(rows, vocab) logits from each row's last hidden state."""
        return self._norm(last, self.norm) @ self.head

    def _norm(self, state: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """RMSNorm as transformers computes it (the fused op costs more at these sizes)."""
        return weight * (state * torch.rsqrt(state.pow(2).mean(-1, keepdim=True) + self.eps))
