"""Every retry the engine makes, decided in one place.

Three kinds, from the innermost out:
- a `generate()` call that fails transiently (a timeout, a TransientGeneratorError) is tried
  again with exponential backoff (`call_generator`, `generator_retries` times);
- a model batch whose call still fails as a whole is tried again one prompt at a time, so that
  one bad prompt fails only its own request (`RetryPolicy.call`); a generator can also report
  one prompt's failure itself, as a `PromptError` in its result list;
- a request still short of good outputs is generated again with a new seed, up to
  `repair_attempts` rounds in all, when it samples (greedy output would only repeat itself); one
  with no good output at all after them gets up to `rescue_attempts` rounds more (a user who
  asked for two variants would rather wait for one than get none).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contentgen.errors import ContentgenError, GeneratorError, TransientGeneratorError
from contentgen.generator import Generator
from contentgen.isolation import call_once, checked
from contentgen.types import Candidate, Prompt, PromptError

if TYPE_CHECKING:
    from contentgen.config import Settings

log = logging.getLogger(__name__)
Answer = list[Candidate] | PromptError  # one prompt's outcome of a model batch


def call_generator(
    generator: Generator,
    prompts: Sequence[Prompt],
    timeout_s: float | None = None,
    retries: int = 2,
    backoff_s: float = 0.5,
    *,
    max_backoff_s: float = 8.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Answer]:
    """`generator.generate(prompts)` with a timeout, retrying only transient failures and timeouts.

    Waits `backoff_s * 2**attempt` (capped at `max_backoff_s`) between attempts. Anything that is
    not a TransientGeneratorError or TimeoutError fails at once as a GeneratorError naming the
    generator; a malformed result (wrong number of lists, non-Candidate items) is one too.
    """
    attempts = max(0, retries) + 1
    last: Exception | None = None
    for attempt in range(attempts):
        if attempt:
            delay = min(max_backoff_s, backoff_s * 2 ** (attempt - 1))
            log.warning(
                "generator %s: %s; retry %d/%d in %.2f s",
                generator.id,
                last,
                attempt,
                retries,
                delay,
            )
            sleep(delay)
        try:
            return checked(generator, prompts, call_once(generator, prompts, timeout_s))
        except (TransientGeneratorError, TimeoutError) as exc:
            last = exc
        except GeneratorError:
            raise
        except Exception as exc:
            raise GeneratorError(
                f"generator {generator.id} failed: {type(exc).__name__}: {exc}"
            ) from exc
    raise GeneratorError(
        f"generator {generator.id} failed after {attempts} attempt(s): {last}"
    ) from last


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how the engine tries again (see the module docstring for the three kinds)."""

    generator_retries: int = 2
    timeout_s: float | None = None
    repair_attempts: int = 3
    rescue_attempts: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        """The policy Settings describe (generator_retries, generator_timeout_s, repair_attempts,
        rescue_attempts)."""
        return cls(
            generator_retries=settings.generator_retries,
            timeout_s=settings.generator_timeout_s,
            repair_attempts=settings.repair_attempts,
            rescue_attempts=settings.rescue_attempts,
        )

    def rounds(self) -> range:
        """The generation rounds of a model batch: the first, then the repair rounds."""
        return range(max(1, self.repair_attempts))

    def rescue_rounds(self) -> range:
        """The rounds after those for requests with no good output yet (none when repairs are
        off: `repair_attempts` of 1 or less asks for first drafts only)."""
        first = max(1, self.repair_attempts)
        return range(first, first + self.rescue_attempts) if first > 1 else range(0)

    @staticmethod
    def may_repair(params: Mapping[str, Any]) -> bool:
        """Whether a request is worth another round: only sampling gives a different answer."""
        return float(params.get("temperature", 0.8)) > 0

    def call(self, generator: Generator, prompts: Sequence[Prompt]) -> list[Answer]:
        """Each prompt's candidates, or its PromptError: a call failing as a whole is retried
        prompt by prompt, so only the prompts that fail on their own fail."""
        try:
            return call_generator(
                generator,
                prompts,
                self.timeout_s,
                self.generator_retries,
                self.backoff_s,
                max_backoff_s=self.max_backoff_s,
            )
        except ContentgenError as exc:
            failure = str(exc)
        except Exception as exc:  # a plugin bug in a wrapper: that call's prompts fail, not the run
            failure = f"generator {generator.id} failed: {type(exc).__name__}: {exc}"
        if len(prompts) == 1:
            return [PromptError(failure)]
        log.warning(
            "a model batch of %d failed (%s); retrying its prompts one by one",
            len(prompts),
            failure,
        )
        return [self.call(generator, [prompt])[0] for prompt in prompts]
