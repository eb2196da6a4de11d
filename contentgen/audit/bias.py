"""The bias audit: counterfactual pairs generated through the engine, measured, and compared.

Every pair goes through `Engine.stream` like any request (routing, template, checks and
repairs apply) but nothing is stored; each output is measured (`measures`) and each generator,
attribute and measure gets a paired effect with an interval and a test (`stats`), Holm-corrected
over all of a generator's tests.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from contentgen.audit.attributes import ATTRIBUTE_NAMES, ATTRIBUTES, Attribute, CounterfactualPair
from contentgen.audit.measures import MEASURE_NAMES, MEASURES, TextMeasurer
from contentgen.audit.report import AttributeInfo, BiasReport, Effect, PairRecord
from contentgen.errors import ConfigError, ValidationError
from contentgen.types import JobItem, JobRun, Result, RowRequest

if TYPE_CHECKING:
    from contentgen.engine import Engine

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (requests done, requests in all)
MAX_PAIRS = 5000
_NEEDS = {"scipy": "scipy", "vaderSentiment": "vaderSentiment", "numpy": "numpy"}


def audit_bias(
    engine: Engine,
    *,
    generators: Sequence[str | None] = (None,),
    attributes: Sequence[str] = ATTRIBUTE_NAMES,
    pairs: int = 50,
    seed: int = 0,
    alpha: float = 0.05,
    resamples: int = 9999,
    progress: Progress | None = None,
) -> BiasReport:
    """Audit generators for bias with `pairs` counterfactual pairs per attribute.

    `generators`: generator ids, or None for each task's configured route. Every argument is
    checked, and every generator's route and template, before any model loads.
    """
    if isinstance(generators, str):  # one id given as text, not as a list of them
        generators = (generators,)
    chosen = _check(
        [attributes] if isinstance(attributes, str) else attributes, pairs, alpha, resamples
    )
    drawn = {a.name: a.pairs(pairs, seed) for a in chosen}
    plans: dict[tuple[str, str], Attribute] = {}
    for gid in generators:
        for a in chosen:
            plans.setdefault((_generator_for(engine, gid, a, drawn[a.name][0]), a.name), a)
    started = time.perf_counter()
    measurer = TextMeasurer()
    records: list[PairRecord] = []
    total, done = 2 * pairs * len(plans), 0
    for (generator, _), attribute in plans.items():
        for pair, results in _generate(engine, generator, drawn[attribute.name]):
            records.append(_record(generator, pair, results, measurer))
            done += 2
            if progress is not None:
                progress(done, total)
        log.info("bias audit: %s %s done, %d/%d requests", generator, attribute.name, done, total)
    effects = _effects(records, chosen, alpha, resamples, seed)
    from contentgen.hostinfo import host_cpu

    return BiasReport(
        generators=tuple(dict.fromkeys(g for g, _ in plans)),
        attributes=tuple(
            AttributeInfo(a.name, a.task, a.groups, a.description, pairs) for a in chosen
        ),
        measures={m.name: m.description for m in MEASURES},
        alpha=alpha,
        seed=seed,
        resamples=resamples,
        host=host_cpu().describe(),
        seconds=time.perf_counter() - started,
        effects=tuple(effects),
        pairs=tuple(records),
    )


def _check(attributes: Sequence[str], pairs: int, alpha: float, resamples: int) -> list[Attribute]:
    unknown = [a for a in attributes if a not in ATTRIBUTES]
    if unknown or not attributes:
        raise ValidationError(
            "attribute", f"unknown {unknown[0]!r}" if unknown else "none given", ATTRIBUTE_NAMES
        )
    if isinstance(pairs, bool) or not isinstance(pairs, int) or not 2 <= pairs <= MAX_PAIRS:
        raise ValidationError(
            "pairs", f"must be a whole number from 2 to {MAX_PAIRS}, got {pairs!r}"
        )
    if not 0 < alpha <= 0.5:
        raise ValidationError("alpha", f"must be in (0, 0.5], got {alpha!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 99:
        raise ValidationError(
            "resamples", f"must be a whole number of at least 99, got {resamples!r}"
        )
    missing = [pkg for module, pkg in _NEEDS.items() if importlib.util.find_spec(module) is None]
    if missing:
        raise ConfigError(
            f"the bias audit needs {', '.join(missing)}: pip install 'contentgen[eval]'"
        )
    return [ATTRIBUTES[a] for a in dict.fromkeys(attributes)]


def _generator_for(
    engine: Engine, gid: str | None, attribute: Attribute, first: CounterfactualPair
) -> str:
    """The generator a plan uses, after checking it serves the task and the request prepares."""
    chosen = gid or engine.settings.route(attribute.task).generator
    engine.registry.check_supports(chosen, attribute.task)
    engine.prepare(replace(first.requests[0], generator=chosen))  # template and params, no model
    return chosen


def _generate(
    engine: Engine, generator: str, pairs: Sequence[CounterfactualPair]
) -> list[tuple[CounterfactualPair, tuple[Result, Result]]]:
    """Both requests of every pair through the engine (batched, not stored), matched up again.

    The generator is named on every request, so no fallback or bandit arm swaps it mid-audit.
    """
    rows = []
    for pair in pairs:
        for side, request in enumerate(pair.requests):
            position = 2 * pair.index + side
            item = JobItem(f"audit-{position}", position, str(position), f"pair {pair.index}")
            rows.append(RowRequest(item, replace(request, generator=generator)))
    job = JobRun("bias-audit", None, pairs[0].requests[0].task)
    found: dict[int, Result] = {}
    for result in engine.stream(rows, job=job, store=False):
        assert result.item is not None
        found[result.item.row_index] = result
    return [(p, (found[2 * p.index], found[2 * p.index + 1])) for p in pairs]


def _record(
    generator: str, pair: CounterfactualPair, results: tuple[Result, Result], measurer: TextMeasurer
) -> PairRecord:
    texts: list[str | None] = []
    values = []
    for result in results:
        text = _text(result)
        texts.append(text)
        values.append(measurer.measure(text, rejected=not result.outputs))
    return PairRecord(
        generator=generator,
        attribute=pair.attribute,
        index=pair.index,
        seed=pair.seed,
        swap=pair.swap,
        texts=(texts[0], texts[1]),
        measures=(values[0], values[1]),
    )


def _text(result: Result) -> str | None:
    """What the generator wrote: the accepted output, else the last rejected draft."""
    if result.outputs and result.outputs[0].text is not None:
        return result.outputs[0].text
    drafts = [o.text for o in result.rejected if o.text is not None]
    return drafts[-1] if drafts else None


def _effects(
    records: Sequence[PairRecord],
    attributes: Sequence[Attribute],
    alpha: float,
    resamples: int,
    seed: int,
) -> list[Effect]:
    from contentgen.audit.stats import holm, paired_effect

    effects: list[Effect] = []
    for generator in dict.fromkeys(r.generator for r in records):
        mine: list[Effect] = []
        for attribute in attributes:
            group = [
                r for r in records if r.generator == generator and r.attribute == attribute.name
            ]
            if not group:
                continue
            for k, measure in enumerate(MEASURE_NAMES):
                found = paired_effect(
                    [r.measures[0][measure] for r in group],
                    [r.measures[1][measure] for r in group],
                    confidence=1 - alpha,
                    resamples=resamples,
                    seed=seed + k,
                )
                mine.append(
                    Effect(
                        generator=generator,
                        attribute=attribute.name,
                        measure=measure,
                        group_a=attribute.groups[0],
                        group_b=attribute.groups[1],
                        n=found.n,
                        mean_a=found.mean_a,
                        mean_b=found.mean_b,
                        difference=found.difference,
                        ci_low=found.ci_low,
                        ci_high=found.ci_high,
                        effect_size=found.effect_size,
                        p_value=found.p_value,
                        p_adjusted=1.0,
                        significant=False,
                    )
                )
        adjusted = holm([e.p_value for e in mine])
        effects += [
            replace(e, p_adjusted=p, significant=p < alpha)
            for e, p in zip(mine, adjusted, strict=True)
        ]
    return effects
