"""Per-row sampling and stopping for transformers `generate` (imported only once a model loads).

Sampling is done with the Gumbel-max trick inside a logits processor and greedy argmax outside
it: each row draws its noise from its own `torch.Generator`, so a row's random stream depends on
its prompt's seed and variant number only, never on what else shares the batch, and every row can
have its own temperature, top-k and top-p.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import LogitsProcessor, StoppingCriteria

from contentgen.generators.textrows import Row, cut_at_stop


class RowSampler(LogitsProcessor):
    """Temperature, top-k and top-p per row, then Gumbel noise from each row's own generator."""

    def __init__(self, rows: Sequence[Row], device: torch.device) -> None:
        self.sampled = [i for i, row in enumerate(rows) if not row.prompt.greedy]
        self.temperature = [rows[i].prompt.temperature for i in self.sampled]
        self.top_k = [rows[i].prompt.top_k for i in self.sampled]
        self.top_p = [rows[i].prompt.top_p for i in self.sampled]
        self.generators = [
            torch.Generator(device=device).manual_seed(rows[i].row_seed) for i in self.sampled
        ]
        self.device = device
        self.every_row = len(self.sampled) == len(rows)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.Tensor:
        if not self.sampled:
            return scores
        vocab = scores.shape[-1]
        # Each row keeps its own k candidates (k = vocab when unlimited); only they get noise.
        ks = [k if 0 < k < vocab else vocab for k in self.top_k]
        widest = max(ks)
        picked = (scores if self.every_row else scores[self.sampled]).float()
        temps = torch.tensor(self.temperature, device=scores.device).unsqueeze(1)
        values, indices = (picked / temps).topk(widest, dim=-1)
        position = torch.arange(widest, device=scores.device).unsqueeze(0)
        limit = torch.tensor(ks, device=scores.device).unsqueeze(1)
        values = values.masked_fill(position >= limit, float("-inf"))
        probs = values.softmax(dim=-1)
        before = probs.cumsum(dim=-1) - probs
        top_p = torch.tensor(self.top_p, device=scores.device).unsqueeze(1)
        values = values.masked_fill((before >= top_p) & (position > 0), float("-inf"))
        noise = torch.zeros_like(values)
        for j, (k, gen) in enumerate(zip(ks, self.generators, strict=True)):
            uniform = torch.rand(k, generator=gen, device=self.device).to(values.device)
            noise[j, :k] = -torch.log(-torch.log(uniform.clamp(1e-10, 1 - 1e-7)))
        noisy = values + noise
        rows = torch.full_like(picked, float("-inf")).scatter_(1, indices, noisy)
        if self.every_row:
            return rows.to(scores.dtype)
        out = scores.clone()
        out[self.sampled] = rows.to(out.dtype)
        return out


class RowStopper(StoppingCriteria):
    """Ends each row on its own: end-of-sequence token, a stop string, or its token budget."""

    def __init__(
        self, rows: Sequence[Row], start: int, eos_ids: Sequence[int], tokenizer: object
    ) -> None:
        self.rows = rows
        self.start = start
        self.eos = set(eos_ids)
        self.tokenizer = tokenizer
        self.lengths: list[int | None] = [None] * len(rows)
        self.reasons: list[str | None] = [None] * len(rows)

    def __call__(
        self, input_ids: torch.LongTensor, scores: torch.FloatTensor | None, **kwargs: object
    ) -> torch.Tensor:
        step = input_ids.shape[1] - self.start
        last = input_ids[:, -1].tolist()
        for r, row in enumerate(self.rows):
            if self.reasons[r] is not None:
                continue
            reason = None
            new_ids = input_ids[r, self.start :]
            if last[r] in self.eos or (row.prompt.stop and self._hit_stop(new_ids, row)):
                reason = "stop"
            elif step >= row.prompt.max_new_tokens:
                reason = "length"
            if reason is not None:
                self.lengths[r], self.reasons[r] = step, reason
        done = [reason is not None for reason in self.reasons]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

    def _hit_stop(self, new_ids: torch.Tensor, row: Row) -> bool:
        text = self.tokenizer.decode(new_ids.tolist(), skip_special_tokens=True)  # type: ignore[attr-defined]
        return cut_at_stop(text, row.prompt.stop)[1]


def pad_batch(
    id_lists: Sequence[Sequence[int]], pad_id: int, *, left: bool, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Input ids and attention mask, padded on the left (decoders) or the right (encoders)."""
    width = max(len(ids) for ids in id_lists)
    ids = torch.full((len(id_lists), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(id_lists), width), dtype=torch.long)
    for r, row in enumerate(id_lists):
        span = slice(width - len(row), width) if left else slice(0, len(row))
        ids[r, span] = torch.tensor(row, dtype=torch.long)
        mask[r, span] = 1
    return ids.to(device), mask.to(device)


def shared_prefill(
    model: torch.nn.Module, ids: torch.Tensor, mask: torch.Tensor, rows: Sequence[Row]
) -> object:
    """Run each distinct prompt once (all but its last token) and copy its KV cache to its rows.

    Variants of one prompt share the prompt's attention state, so this saves (n-1)/n of the
    prefill, which for short ad copy costs more than the decoding itself.
    """
    first: dict[int, int] = {}
    for r, row in enumerate(rows):
        first.setdefault(row.index, r)
    unique = list(first.values())
    expand = torch.tensor([unique.index(first[row.index]) for row in rows], device=ids.device)
    part_ids, part_mask = ids[unique, :-1], mask[unique, :-1]
    positions = (part_mask.cumsum(-1) - 1).masked_fill(part_mask == 0, 0)
    out = model(
        input_ids=part_ids,
        attention_mask=part_mask,
        position_ids=positions,
        use_cache=True,
        logits_to_keep=1,
    )
    cache = out.cache
    cache.batch_select_indices(expand)
    return cache


class ChosenLogprobs(LogitsProcessor):
    """Each row's log-probability of the token it chose, per step, from the model's own logits.

    The fast decoder calls `add(logits, chosen)`; as a logits processor placed first (raw
    scores) for `generate`, it learns each step's choice from the next call's ids and the last
    one from `finish(ids)`.
    """

    def __init__(self) -> None:
        self.steps: list[torch.Tensor] = []
        self._pending: torch.Tensor | None = None

    def add(self, logits: torch.Tensor, chosen: torch.Tensor) -> None:
        """Record the chosen tokens' log-probabilities under these (rows, vocab) logits."""
        self.steps.append(self._gather(torch.log_softmax(logits.float(), dim=-1), chosen))

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.Tensor:
        self.finish(input_ids)
        self._pending = torch.log_softmax(scores.float(), dim=-1)
        return scores

    def finish(self, input_ids: torch.Tensor) -> None:
        """Take the step still waiting for its token from the last column of `input_ids`."""
        if self._pending is not None:
            self.steps.append(self._gather(self._pending, input_ids[:, -1]))
            self._pending = None

    def rows(self) -> list[list[float]]:
        """Per row, the log-probabilities of its tokens in order."""
        if not self.steps:
            return []
        return torch.stack(self.steps, dim=1).tolist()  # type: ignore[no-any-return]

    @staticmethod
    def _gather(logprobs: torch.Tensor, chosen: torch.Tensor) -> torch.Tensor:
        return logprobs.gather(1, chosen.view(-1, 1).to(logprobs.device)).squeeze(1)
