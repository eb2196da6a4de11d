"""The simulated world of the feedback-loop simulation: products, a styled copy generator, a
price gate, the hidden quality a synthetic rater judges by, and an engine wired to them."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from contentgen.generator import Generator
from contentgen.types import Candidate, Evaluation, ModelInfo, Prompt, Task

BENEFITS = ("waterproof", "lightweight", "durable", "comfortable", "breathable", "easy to clean")
STYLES = {
    "plain": (0.15, 0.15),
    "price": (0.8, 0.2),
    "benefit": (0.2, 0.8),
    "full": (0.8, 0.8),
    "mixed": (0.5, 0.5),
}
ARMS = ("plain", "price", "benefit", "full")
BEST_ARM = "full"
MARKETING = Task("marketing")  # the simulation writes marketing copy only
_ADJECTIVES = (
    "Trail",
    "Urban",
    "Coastal",
    "Alpine",
    "Studio",
    "Harbor",
    "Summit",
    "Meadow",
    "Metro",
    "Canyon",
)
_NOUNS = (
    "Runner",
    "Jacket",
    "Backpack",
    "Lamp",
    "Bottle",
    "Blanket",
    "Headphones",
    "Mug",
    "Chair",
    "Tent",
)
_OPENERS = ("Meet the", "Say hello to the", "Discover the", "Try the", "Get the")
_FILLER = (
    "Designed for everyday life.",
    "A favourite with our customers.",
    "Available in three colours.",
    "Ships from our own warehouse.",
    "Made with care.",
    "New this season.",
)


def products(count: int, seed: int) -> list[dict[str, str]]:
    """Deterministic synthetic products (name and price)."""
    rng = random.Random(f"products:{seed}")
    names = [f"{a} {n}" for a in _ADJECTIVES for n in _NOUNS]
    rng.shuffle(names)
    return [{"name": name, "price": f"{rng.randrange(19, 200)}.99"} for name in names[:count]]


def compose(product: dict[str, Any], style: str, rng: random.Random) -> str:
    """One synthetic social post; the style sets how likely it states the price and a benefit."""
    p_price, p_benefit = STYLES[style]
    parts = [f"{rng.choice(_OPENERS)} {product['name']}."]
    if rng.random() < p_benefit:
        parts.append(f"It is {rng.choice(BENEFITS)} and ready for every day.")
    if rng.random() < p_price:
        price = product["price"]
        if rng.random() < 0.1:  # a hallucinated price: the price gate must catch it
            price = f"{int(float(price)) + 30}.99"
        parts.append(f"Now only ${price}.")
    parts += rng.sample(_FILLER, rng.randrange(1, 3))
    return " ".join(parts)


class SyntheticCopyGenerator(Generator):
    """Fast synthetic marketing copy; `params['style']` picks one of the simulated arms."""

    id: ClassVar[str] = "sim:copy"
    version: ClassVar[str] = "1.0"
    tasks: ClassVar[frozenset[Task]] = frozenset({MARKETING})
    options: ClassVar[dict[str, Any]] = {"batch_size": 64}
    extra_params: ClassVar[dict[str, Any]] = {"style": str}

    def generate(self, prompts: Sequence[Prompt]) -> list[list[Candidate]]:
        """prompt.n seeded posts per prompt."""
        out = []
        for p in prompts:
            style = str(p.params.get("style", "mixed"))
            product = dict(p.data.get("product", {}))
            out.append(
                [
                    Candidate(text=compose(product, style, random.Random(f"{p.seed}:{i}")))
                    for i in range(p.n)
                ]
            )
        return out

    def model_info(self) -> ModelInfo:
        """Rule-based."""
        return ModelInfo(model_id="synthetic-copy", backend="rules")


class PriceGate:
    """A gating evaluator: copy that states a price other than the product's is rejected."""

    name = "price_check"
    tasks = frozenset({MARKETING})
    gate = True

    def evaluate(self, items: Sequence[Any]) -> list[Evaluation]:
        """Fail items quoting a wrong price."""
        verdicts = []
        for item in items:
            price = str(item.facts.get("product", {}).get("price", ""))
            quoted = [w.strip("$.,") for w in item.text.split() if w.startswith("$")]
            wrong = [q for q in quoted if q != price]
            verdicts.append(
                Evaluation(
                    name=self.name,
                    passed=not wrong,
                    detail={"reason": f"price {wrong[0]} is not {price}"} if wrong else {},
                )
            )
        return verdicts


def hidden_quality(text: str, product: dict[str, Any]) -> float:
    """The held-out rater's noise-free opinion (1-5); the loop never sees this function."""
    quality = 1.7
    if f"${product['price']}" in text:
        quality += 1.4
    if any(b in text for b in BENEFITS):
        quality += 1.2
    if len(text) > 200:
        quality -= 0.5
    return min(5.0, quality)


def rater_score(text: str, product: dict[str, Any], rng: random.Random) -> int:
    """The held-out rater's noisy 1-5 score."""
    return max(1, min(5, round(hidden_quality(text, product) + rng.gauss(0, 0.7))))


def sim_engine(
    data_dir: Path, *, rerank: bool = False, bandit: bool = True, best_of: int = 8
) -> Any:
    """An engine on SQLite in `data_dir`: synthetic generator, its four arms, the price gate."""
    from contentgen.config import Route, Settings
    from contentgen.engine import Engine
    from contentgen.feedback.arms import BanditArm
    from contentgen.plugins import load_plugins, plugin_module

    arms = tuple(BanditArm(task=MARKETING, name=a, params={"style": a}) for a in ARMS)
    settings = Settings(
        data_dir=data_dir,
        routes={MARKETING: Route("sim:copy", template="marketing/social_post")},
        use_entry_points=False,
        torch_threads=1,
        bandit=bandit,
        bandit_arms=arms,
        rerank=rerank,
        rerank_best_of=best_of,
    )
    plugin = plugin_module(
        "sim", register_generators=lambda register: register(SyntheticCopyGenerator)
    )
    plugins = load_plugins((), use_entry_points=False, extra=[("sim", plugin)])
    return Engine(settings, plugins, evaluators=[PriceGate()])
