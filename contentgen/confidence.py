"""Per-token confidence: the log-probability a local model gave each token it wrote.

Opt-in (`params={"logprobs": True}` on a request, or `logprobs = true` in a generator's options)
because it costs a softmax per step. A generator puts `[[token, logprob], ...]` in
`Candidate.meta[TOKEN_LOGPROBS]`; the engine keeps them in the output's provenance params under
the same key, and the explanation reads them back as `TokenScore` records.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

TOKEN_LOGPROBS = "token_logprobs"  # Candidate.meta and provenance params key
LOGPROBS_PARAM = "logprobs"  # the request parameter (and generator option) that asks for them
# Its declared type: the CLI's `--param logprobs=true` arrives as text.
LogprobsFlag = bool | Literal["true", "false"]
# Below this probability a token is shown as low confidence: the model gave it less than a
# one-in-five chance, so another word was more likely.
LOW_CONFIDENCE = 0.2
MAX_TOKENS = 4096  # never store more than this per output


@dataclass(frozen=True)
class TokenScore:
    """One generated token: its text, log-probability and whether it counts as low confidence."""

    text: str
    logprob: float

    @property
    def probability(self) -> float:
        """The model's probability of the token, 0 to 1."""
        return math.exp(self.logprob)

    @property
    def low(self) -> bool:
        """True when the model gave the token less than LOW_CONFIDENCE."""
        return self.probability < LOW_CONFIDENCE


def wanted(params: Mapping[str, Any], default: bool = False) -> bool:
    """Whether a prompt's params (else the generator's option `default`) ask for log-probs."""
    value = params.get(LOGPROBS_PARAM)
    if value is None:
        return default
    return value == "true" if isinstance(value, str) else bool(value)


def as_meta(tokens: Sequence[str], logprobs: Sequence[float]) -> list[list[Any]]:
    """Tokens and their log-probabilities as stored: `[[token, logprob], ...]`, 4 decimals."""
    return [
        [str(t), round(float(lp), 4)]
        for t, lp in zip(tokens[:MAX_TOKENS], logprobs[:MAX_TOKENS], strict=False)
    ]


def token_scores(params: Mapping[str, Any]) -> tuple[TokenScore, ...]:
    """The token scores stored in an output's provenance params (empty when none were asked)."""
    found = params.get(TOKEN_LOGPROBS)
    if not isinstance(found, list):
        return ()
    scores = []
    for item in found:
        if isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[1], int | float):
            scores.append(TokenScore(str(item[0]), float(item[1])))
    return tuple(scores)


def summary(scores: Sequence[TokenScore]) -> dict[str, float | int]:
    """Tokens, low-confidence tokens, mean log-probability and perplexity of a token list."""
    if not scores:
        return {"tokens": 0, "low": 0}
    mean = sum(s.logprob for s in scores) / len(scores)
    return {
        "tokens": len(scores),
        "low": sum(s.low for s in scores),
        "mean_logprob": round(mean, 4),
        "perplexity": round(math.exp(-mean), 3),
    }
