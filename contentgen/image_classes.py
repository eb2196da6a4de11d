"""Prompt -> image class: explicit class name, then keywords/synonyms; MiniLM only when asked.

A prompt that names none of a model's classes is refused with the classes listed, unless the
request opts in to the nearest class (`match="nearest"`), whose similarity is then recorded.
Colour words are `contentgen.image_colours`' job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from contentgen.errors import ValidationError

FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "t-shirt/top",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
)

# Words a shop would use for each Fashion-MNIST class; matched as whole words, longest first.
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "t-shirt/top": (
        "t-shirt",
        "t shirt",
        "tshirt",
        "tee",
        "tees",
        "top",
        "tops",
        "tank top",
        "tank",
        "camisole",
        "crop top",
        "vest top",
        "singlet",
    ),
    "trouser": (
        "trouser",
        "trousers",
        "pants",
        "jeans",
        "slacks",
        "chinos",
        "leggings",
        "joggers",
        "sweatpants",
        "denim",
    ),
    "pullover": (
        "pullover",
        "pullovers",
        "sweater",
        "sweaters",
        "jumper",
        "jumpers",
        "hoodie",
        "hoodies",
        "sweatshirt",
        "cardigan",
        "knitwear",
        "turtleneck",
    ),
    "dress": ("dress", "dresses", "gown", "gowns", "frock", "sundress", "maxi dress"),
    "coat": (
        "coat",
        "coats",
        "jacket",
        "jackets",
        "parka",
        "overcoat",
        "trench coat",
        "trench",
        "anorak",
        "raincoat",
        "blazer",
        "puffer",
    ),
    "sandal": (
        "sandal",
        "sandals",
        "flip-flop",
        "flip-flops",
        "flip flops",
        "slides",
        "espadrilles",
    ),
    "shirt": ("shirt", "shirts", "blouse", "blouses", "button-down", "oxford shirt", "flannel"),
    "sneaker": (
        "sneaker",
        "sneakers",
        "trainer",
        "trainers",
        "running shoe",
        "running shoes",
        "tennis shoes",
        "kicks",
        "shoe",
        "shoes",
    ),
    "bag": (
        "bag",
        "bags",
        "handbag",
        "handbags",
        "purse",
        "tote",
        "backpack",
        "clutch",
        "satchel",
        "shoulder bag",
        "luggage",
    ),
    "ankle boot": (
        "ankle boot",
        "ankle boots",
        "boot",
        "boots",
        "chelsea boots",
        "booties",
        "bootie",
    ),
}

# Short descriptions for the embedding fallback: a class scores its best-matching description.
DESCRIPTIONS: Mapping[str, tuple[str, ...]] = {
    "t-shirt/top": (
        "a casual t-shirt or top",
        "a short-sleeved cotton tee",
        "a sleeveless tank top",
    ),
    "trouser": ("trousers or pants worn on the legs", "jeans", "office slacks and chinos"),
    "pullover": ("a warm knitted pullover sweater or jumper", "a hoodie or sweatshirt"),
    "dress": ("a dress for women", "an elegant evening gown", "a light summer dress"),
    "coat": ("a warm winter coat or jacket worn over clothes", "a raincoat or parka"),
    "sandal": ("open sandals for summer and the beach", "flip-flops and slides"),
    "shirt": ("a formal button-up shirt with a collar", "a blouse"),
    "sneaker": ("sneakers or trainers", "sports shoes for running and the gym"),
    "bag": ("a bag, handbag or backpack to carry things", "a purse or tote"),
    "ankle boot": ("ankle boots", "winter footwear that covers the ankle"),
}

# Words that also work as adjectives ("top quality laptop") count only when nothing else matches
# and they end their phrase ("summer tops", "tops for summer").
WEAK_WORDS = frozenset({"top", "tops", "tank", "denim", "flannel", "kicks", "trench"})
_PHRASE_ENDS = frozenset(
    {"for", "with", "in", "and", "or", "to", "from", "of", "on", "by", "at", "that", "which"}
)

MappedBy = Literal["class_name", "keyword", "embedding"]
MatchMode = Literal["strict", "nearest"]
MATCH_MODES: tuple[MatchMode, ...] = ("strict", "nearest")
Embedder = Callable[[Sequence[str]], Any]


@dataclass(frozen=True)
class ClassChoice:
    """The class a prompt was mapped to, and how."""

    name: str
    index: int
    mapped_by: MappedBy
    similarity: float | None = None

    def as_meta(self) -> dict[str, Any]:
        """The Candidate.meta fields that tell the reader which class was used."""
        meta: dict[str, Any] = {
            "class_name": self.name,
            "class_index": self.index,
            "mapped_by": self.mapped_by,
        }
        if self.similarity is not None:
            meta["similarity"] = round(self.similarity, 4)
        return meta


def _normalise(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower())


def _vocabulary(classes: Sequence[str]) -> dict[str, int]:
    """Phrase -> class index: each class's own name and, for known classes, its synonyms."""
    vocab: dict[str, int] = {}
    for index, name in enumerate(classes):
        key = _normalise(name)
        phrases = {key, key.replace("-", " "), *key.split("/"), *SYNONYMS.get(key, ())}
        if not key.endswith("s"):
            phrases.add(key + "s")
        for phrase in phrases:
            vocab.setdefault(phrase, index)
    return vocab


def resolve_explicit(
    class_name: str, classes: Sequence[str] = FASHION_MNIST_CLASSES
) -> ClassChoice:
    """The class an explicit name picks (name or synonym); unknown names list the classes."""
    index = _vocabulary(classes).get(_normalise(class_name))
    if index is None:
        raise ValidationError("class_name", f"unknown class {class_name!r}", classes)
    return ClassChoice(classes[index], index, "class_name")


def _ends_phrase(text: str, end: int) -> bool:
    """True when nothing, punctuation or a preposition follows text[:end] (a noun, not an adjective)."""
    following = re.match(r"\s*(\w*)", text[end:])
    word = following.group(1) if following else ""
    return not word or word in _PHRASE_ENDS


def match_keyword(text: str, classes: Sequence[str] = FASHION_MNIST_CLASSES) -> ClassChoice | None:
    """The class whose name or synonym appears first in `text` (longest phrase wins a tie)."""
    vocab = _vocabulary(classes)
    lowered = _normalise(text)
    spans: list[tuple[int, int, int]] = []
    for phrase in sorted(vocab, key=len, reverse=True):
        for found in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", lowered):
            start, end = found.span()
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, vocab[phrase]))
    strong = [span for span in spans if lowered[span[0] : span[1]] not in WEAK_WORDS]
    weak = [span for span in spans if span not in strong and _ends_phrase(lowered, span[1])]
    if not (strong or weak):
        return None
    index = min(strong or weak)[2]
    return ClassChoice(classes[index], index, "keyword")


def match_embedding(
    text: str, classes: Sequence[str] = FASHION_MNIST_CLASSES, embed: Embedder | None = None
) -> ClassChoice:
    """The class whose description is most similar to `text` under the MiniLM embedding."""
    if embed is None:
        from contentgen.embeddings import embed as minilm_embed

        embed = minilm_embed
    owners: list[int] = []
    descriptions: list[str] = []
    for index, name in enumerate(classes):
        found = DESCRIPTIONS.get(_normalise(name), (f"a photo of a {name.replace('/', ' or ')}",))
        descriptions += found
        owners += [index] * len(found)
    vectors = embed([text, *descriptions])
    scores = [-1.0] * len(classes)
    for row, index in enumerate(owners):
        scores[index] = max(scores[index], float(vectors[0] @ vectors[row + 1]))
    best = max(range(len(classes)), key=scores.__getitem__)
    return ClassChoice(classes[best], best, "embedding", scores[best])


def check_match_mode(match: object) -> MatchMode:
    """`match` as a MatchMode, or a ValidationError naming the modes."""
    if match not in MATCH_MODES:
        raise ValidationError("match", f"unknown match mode {match!r}", MATCH_MODES)
    return match  # type: ignore[return-value]


def plan_class(
    prompt: str,
    class_name: str | None = None,
    classes: Sequence[str] = FASHION_MNIST_CLASSES,
    match: str = "strict",
) -> ClassChoice | None:
    """The class a request names, checked without any model; None when left to the nearest class.

    An unknown class name, or (in strict mode) a prompt naming no class or synonym, is a
    ValidationError listing the classes.
    """
    mode = check_match_mode(match)
    if class_name:
        return resolve_explicit(class_name, classes)
    found = match_keyword(prompt, classes)
    if found is None and mode == "strict":
        known = {_normalise(c) for c in classes} >= {"sneaker", "t-shirt/top", "bag"}
        synonyms = " (or a synonym such as 'trainers', 'tee', 'handbag')" if known else ""
        raise ValidationError(
            "prompt",
            f"{prompt[:80]!r} names none of the classes this model draws; name one{synonyms}, "
            "give class_name, or accept the nearest class with match='nearest' "
            "(CLI: --nearest-class)",
            classes,
        )
    return found


def resolve_class(
    prompt: str,
    class_name: str | None = None,
    classes: Sequence[str] = FASHION_MNIST_CLASSES,
    embed: Embedder | None = None,
    match: str = "strict",
) -> ClassChoice:
    """Map a request to one of `classes`: class name > keyword > (when match="nearest") MiniLM."""
    return plan_class(prompt, class_name, classes, match) or match_embedding(prompt, classes, embed)
