"""Outputs with planted facts at known positions, for measuring the grounding map.

Product outputs take their facts from the copywriting corpus's briefs (real overlaps: the brand
inside the name, material words inside features) and write sentences that use some of them, each
with a surface change a copywriter makes (capitals, plurals, hyphens, "€29.4" for "29.40",
"1-year" for "1 year"), between sentences that use none (some sharing a word with a fact). News
outputs copy a clause of a long article or paraphrase one of its sentences (words reordered, one
swapped). Every planted use records the fact's path, its span in the output and its span in the
fact. Deterministic for a seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

FILLERS = (
    "Order today and see the difference.",
    "Designed to make everyday life a little easier.",
    "You will wonder how you managed without it.",
    "A small upgrade that feels big.",
    "Made to last, season after season.",
    "Treat yourself, or someone you love.",
)


@dataclass(frozen=True)
class Planted:
    """One planted use: the fact's path, its span in the output, its span in the fact's text."""

    sentence: int
    fact: str
    output_start: int
    output_end: int
    fact_start: int
    fact_end: int


@dataclass
class PlantedOutput:
    """An output built sentence by sentence, the facts it was built from and its planted uses."""

    facts: dict[str, Any]
    text: str = ""
    sentence: int = 0
    planted: list[Planted] = field(default_factory=list)

    def add(self, parts: list[tuple[str, str | None, tuple[int, int] | None]]) -> None:
        """Append one sentence made of (text, fact path or None, span in the fact) parts."""
        if self.text:
            self.text += " "
        for piece, path, fact_span in parts:
            start = len(self.text)
            self.text += piece
            if path is not None and fact_span is not None:
                self.planted.append(Planted(self.sentence, path, start, len(self.text), *fact_span))
        self.sentence += 1


def _variant(value: str, rng: random.Random) -> str:
    """The fact as a copywriter might write it."""
    if re.fullmatch(r"\d+\.\d\d", value):
        whole = value.removesuffix(".00")
        trimmed = value.rstrip("0") if "." in whole else whole
        return rng.choice([f"€{value}", f"{value} EUR", f"€{whole}", f"€{trimmed}"])
    if re.fullmatch(r"\d+ years?", value):
        return value.replace(" ", "-").removesuffix("s")
    choice = rng.random()
    words = value.split()
    if choice < 0.2:
        return value.title()
    if choice < 0.4 and value.isascii() and not value.endswith("s") and len(words) > 1:
        return value + "s"
    if choice < 0.55 and len(words) == 2:  # the words the other way round
        return f"{words[1]} of {words[0]}"
    if choice < 0.7 and len(words) >= 3:  # one word left out
        del words[rng.randrange(len(words))]
        return " ".join(words)
    return value


def _product_sentences(
    out: PlantedOutput, product: dict[str, Any], rng: random.Random
) -> list[Callable[[], None]]:
    def use(path: str, value: str) -> tuple[str, str, tuple[int, int]]:
        return (_variant(value, rng), path, (0, len(value)))

    features = list(enumerate(product.get("features", [])))
    rng.shuffle(features)
    price = "list_price_eur" if "list_price_eur" in product and rng.random() < 0.3 else "price_eur"
    writers: list[Callable[[], None]] = [
        lambda: out.add(
            [("Meet the ", None, None), use("product.name", product["name"]), (".", None, None)]
        ),
        lambda: out.add(
            [
                ("It is made from ", None, None),
                use("product.material", product["material"]),
                (", so it lasts.", None, None),
            ]
        ),
        lambda: out.add(
            [("Now just ", None, None), use(f"product.{price}", product[price]), (".", None, None)]
        ),
    ]
    if len(features) >= 2:
        (i, a), (j, b) = features[:2]
        writers.append(
            lambda: out.add(
                [
                    ("You get ", None, None),
                    use(f"product.features[{i}]", a),
                    (" and ", None, None),
                    use(f"product.features[{j}]", b),
                    (".", None, None),
                ]
            )
        )
    if product.get("warranty"):
        writers.append(
            lambda: out.add(
                [
                    ("Every one comes with a ", None, None),
                    use("product.warranty", product["warranty"]),
                    (" warranty.", None, None),
                ]
            )
        )
    if product.get("colours"):
        k = rng.randrange(len(product["colours"]))
        colour = product["colours"][k]
        writers.append(
            lambda: out.add(
                [
                    ("Pick it in ", None, None),
                    use(f"product.colours[{k}]", colour),
                    (".", None, None),
                ]
            )
        )
    writers.append(
        lambda: out.add(
            [
                ("This ", None, None),
                use("product.product_type", product["product_type"]),
                (" is a favourite with ", None, None),
                use("audience", out.facts["audience"]),
                (".", None, None),
            ]
        )  # fmt: skip
    )
    return writers


def _distractor(out: PlantedOutput, other: dict[str, Any]) -> Callable[[], None]:
    """A sentence about another product's type and feature: it uses none of this one's facts."""
    feature = (other.get("features") or ["extras"])[0]
    return lambda: out.add(
        [
            (
                f"Unlike a typical {other['product_type']} with {feature}, it keeps things simple.",
                None,
                None,
            )
        ]
    )


def product_outputs(count: int, seed: int = 0) -> list[PlantedOutput]:
    """`count` product outputs of 3 to 5 planted sentences, 1 or 2 fillers and, in half of them,
    a sentence about another product."""
    from contentgen.datasets.copywriting.briefs import generate_briefs
    from contentgen.datasets.copywriting.resources import categories

    rng = random.Random(seed)
    by_key = {c.key: c for c in categories()}
    outputs = []
    briefs = list(generate_briefs(count, seed=seed))
    for number, brief in enumerate(briefs):
        facts = {"product": brief.facts(by_key[brief.category]), "audience": brief.audience}
        out = PlantedOutput(facts)
        writers = _product_sentences(out, facts["product"], rng)
        chosen = rng.sample(writers, k=min(len(writers), rng.randint(3, 5)))
        fillers = [lambda f=f, o=out: o.add([(f, None, None)]) for f in rng.sample(FILLERS, 2)]
        order = chosen + fillers[: rng.randint(1, 2)]
        if number % 2:
            other = briefs[(number + count // 2) % count]
            order.append(_distractor(out, other.facts(by_key[other.category])))
        rng.shuffle(order)
        for write in order:
            write()
        outputs.append(out)
    return outputs


def _article_sentences(article: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^.!?]+[.!?]", article)]


def news_outputs(articles: list[str], seed: int = 0) -> list[PlantedOutput]:
    """One summary per article: a copied clause of one sentence and a paraphrase of another."""
    rng = random.Random(seed)
    outputs = []
    for article in articles:
        spans = [(s, e) for s, e in _article_sentences(article) if len(article[s:e].split()) >= 8]
        if len(spans) < 2:
            continue
        out = PlantedOutput({"article": article})
        (s1, e1), (s2, e2) = rng.sample(spans, 2)
        lead = len(article[s1:e1]) - len(article[s1:e1].lstrip())
        clause = article[s1 + lead : e1 - 1]
        out.add(
            [
                ("In short: ", None, None),
                (clause, "article", (s1 + lead, e1 - 1)),
                (".", None, None),
            ]
        )
        words = article[s2:e2].strip().rstrip(".").split()
        cut = len(words) // 2
        swapped = words[cut:] + words[:cut]
        swapped[rng.randrange(len(swapped))] = "reportedly"
        out.add([(" ".join(swapped) + ", as reported.", "article", (s2, e2))])
        out.add([(rng.choice(FILLERS), None, None)])
        outputs.append(out)
    return outputs
