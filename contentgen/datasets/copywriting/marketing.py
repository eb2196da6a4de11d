"""Copy for the six marketing channels, every field within its limits by construction."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from contentgen.checks.agreement import agreed
from contentgen.checks.channels import CHANNELS
from contentgen.checks.detector import word_set
from contentgen.checks.fact_links import without_fact_slips
from contentgen.checks.form import one_exclamation, spelled_ranges
from contentgen.checks.name_fidelity import reading_groups
from contentgen.checks.repetition import without_name_echoes, without_repeated_yours
from contentgen.checks.tone import URGENT_TONES
from contentgen.datasets.copywriting.briefs import TONES, Brief
from contentgen.datasets.copywriting.compose import filled, headline, pack, pick
from contentgen.datasets.copywriting.resources import Category, phrases
from contentgen.datasets.copywriting.sentences import Sentences
from contentgen.datasets.copywriting.slots import base_slots

# The text channels; the image-ad channels (social_creative, ...) have no writer here yet.
CHANNEL_NAMES: tuple[str, ...] = tuple(c for c in CHANNELS if not c.endswith("_creative"))
FALLBACK_HEADLINE = "Shop {brand}"  # a search-ad headline when no template fits the limits


def _limit(channel: str, field: str) -> tuple[int, int]:
    spec = CHANNELS[channel].field(field)
    return spec.min_chars, spec.max_chars


def _naming(options: list[str], s: Sentences) -> list[str]:
    """The options that name the product (its brand, the first word of the name)."""
    return [o for o in options if s.slots["brand"] in o]


def _stating(options: list[str], s: Sentences) -> list[str]:
    """The options that say one of the brief's stated benefits (none for a facts-only brief)."""
    benefits = [b.lower() for _, b in s.brief.benefits]
    return [o for o in options if any(b in o.lower() for b in benefits)]


def _pick(
    s: Sentences, options: list[str], *, limit: int, minimum: int = 1, ctas: Sequence[str] = ()
) -> str | None:
    """An option that fits; where one fits, one that says a stated benefit (what a feature does
    for the reader) and ends with one of `ctas` (what to do next), in that order of preference."""
    stating = _stating(options, s)
    ending = [o for o in options if o.endswith(tuple(ctas))] if ctas else []
    tiers = ([o for o in stating if o in ending], stating, ending, options)
    for tier in tiers:
        if chosen := pick(s.rng, tier, limit=limit, minimum=minimum):
            return chosen
    return None


def _search_ad(s: Sentences) -> dict[str, str]:
    bank: Mapping[str, Any] = phrases()["search_ad"]
    head_low, head_high = _limit("search_ad", "headline")
    heads = [h for t in [*s.tone["headline"], *bank["headline"]] if (h := headline(t, s.slots))]
    fallback = FALLBACK_HEADLINE.format(brand=s.slots["brand"])
    head = pick(s.rng, heads, limit=head_high, minimum=head_low) or fallback
    low, high = _limit("search_ad", "description")
    bodies = filled(bank["description"], s.slots)
    ctas = s.tone_options("cta_short")
    options = [f"{b} {c}" for b in bodies for c in ctas] + bodies
    if s.slots["brand"] not in head:  # the ad must name the product somewhere
        named = _pick(s, _naming(options, s), limit=high, minimum=low, ctas=ctas)
        if named is None or (_stating(options, s) and not _stating([named], s)):
            # a naming headline leaves the description free to say a stated benefit
            head = pick(s.rng, _naming(heads, s), limit=head_high, minimum=head_low) or fallback
            named = None
        options = [named] if named else options
    description = _pick(s, options, limit=high, minimum=low, ctas=ctas) or f"The {s.slots['name']}."
    if s.tone_name in URGENT_TONES and not description.endswith(tuple(ctas)):
        # No call to action fitted beside the benefit: the headline says it instead.
        brand = s.slots["brand"]
        urgent = [h for t in s.tone["headline"] if (h := headline(t, s.slots))]
        urgent = [h for h in urgent if brand in h or brand in description]
        head = pick(s.rng, urgent, limit=head_high, minimum=head_low) or head
    return {"headline": head, "description": description}


def _sms(s: Sentences) -> dict[str, str]:
    _, high = _limit("sms", "text")
    bodies = filled(phrases()["sms"]["body"], s.slots)
    opens = s.tone_options("sms_open")
    ctas = s.tone_options("cta_short")
    options = [f"{o} {b} {c}" for o in opens for b in bodies for c in ctas]
    options += [f"{b} {c}" for b in bodies for c in ctas]
    text = _pick(s, _naming(options, s), limit=high, minimum=40)
    return {
        "text": text or pick(s.rng, _naming(bodies, s), limit=high) or f"The {s.slots['name']}."
    }


def _push(s: Sentences) -> dict[str, str]:
    low, title_high = _limit("push", "title")
    named_titles = [f"The {s.slots['name']}", s.slots["brand"]]
    title = pick(s.rng, s.tone_options("push_title"), limit=title_high, minimum=low)
    title = title or pick(s.rng, named_titles, limit=title_high)
    _, high = _limit("push", "body")
    bodies = filled(phrases()["push"]["body"], s.slots)
    # "Discover the ..." then "Discover it.": a call to action never repeats the title's verb
    ctas = [c for c in s.tone_options("cta_short") if c.split()[0] not in (title or "").split()]
    options = [f"{b} {c}" for b in bodies for c in ctas] + bodies
    if title and s.slots["brand"] not in title:
        if _stating(options, s) and not _stating(_naming(options, s), s):
            # a title that names the product leaves the body free to say a stated benefit
            title = pick(s.rng, named_titles, limit=title_high) or title
        else:
            options = _naming(options, s)
    body = _pick(s, options, limit=high, minimum=20, ctas=ctas) or f"The {s.slots['name']}."
    return {"title": title or "Take a look", "body": body}


def _social_post(s: Sentences) -> dict[str, str]:
    _, high = _limit("social_post", "post")
    middles = filled(phrases()["social_post"]["middle"], s.slots)
    s.rng.shuffle(middles)
    stating = _stating(middles, s)
    middles.sort(key=lambda m: m not in stating)  # a stated benefit first
    parts = [s.tone_line("open"), middles[0], s.price(), s.tone_line("cta")]
    if s.rng.random() < 0.5 and len(middles) > 1:
        parts.insert(2, middles[1])
    text = pack(parts, high - len(s.slots["tags"]) - 1, required=2)
    if not _naming([text], s):  # the post must name the product
        naming = _naming(middles, s)
        parts[1] = s.rng.choice(_stating(naming, s) or naming)
        text = pack(parts, high - len(s.slots["tags"]) - 1, required=2)
    if len(parts) > 4 and not _apart(parts[1], parts[2], s):  # one fact, one sentence
        del parts[1 if _naming([parts[2] or ""], s) and not _naming([parts[1] or ""], s) else 2]
        text = pack(parts, high - len(s.slots["tags"]) - 1, required=2)
    return {"post": f"{text} {s.slots['tags']}"}


def _apart(first: str | None, second: str | None, s: Sentences) -> bool:
    """Whether two sentences name no feature or material in common."""
    facts = [f.lower() for f in (*s.brief.features, s.brief.material)]
    a, b = (first or "").lower(), (second or "").lower()
    return not any(f in a and f in b for f in facts)


def _distinct(groups: Sequence[Sequence[str | None]]) -> list[list[str]]:
    """The groups' sentences, each kept only where it first appears (none said twice)."""
    seen: set[str] = set()
    out: list[list[str]] = []
    for group in groups:
        out.append([x for x in group if x and x not in seen])
        seen.update(out[-1])
    return out


def _email(s: Sentences) -> dict[str, str]:
    low, high = _limit("email", "subject")
    subject = pick(s.rng, s.tone_options("subject"), limit=high, minimum=low)
    subject = subject or pick(s.rng, [f"Meet the {s.slots['name']}", s.slots["brand"]], limit=high)
    low, high = _limit("email", "preheader")
    preheader = pick(s.rng, s.tone_options("preheader"), limit=high, minimum=low)
    opening = s.tone_line("open")
    if opening == preheader:  # the body does not open by saying the preheader again
        opening = None
    first = [opening, s.intro(opening)]
    # Short: two sentences on what it does, one detail, the offer. Each further sentence was one
    # more chance for a small model to say a benefit twice, and a reader skims an email anyway.
    benefits = [x for x in [*s.features(), s.material()] if x][:2]
    s.rng.shuffle(benefits)
    details = (s.specs() + s.extras())[:1]
    last = [*details, s.price(), s.tone_line("cta")]
    parts = _distinct([first, benefits, last])
    paragraphs = [" ".join(parts[0]), " ".join(parts[1])]
    if s.rng.random() < 0.4:  # two paragraphs now and then: benefits and the offer together
        paragraphs[1] = " ".join([paragraphs[1], *parts[2]])
    else:
        paragraphs.append(" ".join(parts[2]))
    return {
        "subject": subject or "Take a look",
        "preheader": preheader or f"The {s.slots['name']}, {s.slots['price']}.",
        "body": "\n\n".join(paragraphs),
    }


def _product_description(s: Sentences) -> dict[str, str]:
    _, high = _limit("product_description", "description")
    first = s.tone_line("open") if s.rng.random() < 0.5 else s.intro(None)
    if not first or s.slots["brand"] not in first:
        first = s.intro(None)
    features = s.features()
    middle = [features[0], s.material() if s.rng.random() < 0.6 else (s.spec() or s.material())]
    extra = [x for x in s.extras() + s.specs() + features[1:] if x not in middle]
    closing = s.rng.choice([s.tone_line("cta"), s.price(), *(extra[:1] or [s.price()])])
    if s.tone_name in URGENT_TONES:  # the call to action is what makes the copy urgent
        closing = s.tone_line("cta")
    text = pack([first, *middle, closing], high, required=3)
    return {"description": text}


WRITERS: Mapping[str, Callable[[Sentences], dict[str, str]]] = {
    "search_ad": _search_ad,
    "social_post": _social_post,
    "email": _email,
    "sms": _sms,
    "push": _push,
    "product_description": _product_description,
}


def stream(seed: int, *parts: object) -> random.Random:
    """A random stream named by `parts`, independent of every other stream and of PYTHONHASHSEED."""
    digest = hashlib.sha256(":".join(map(str, (seed, *parts))).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def variant_tones(brief: Brief, variants: int, seed: int) -> list[str]:
    """Distinct tones for a brief's variants, chosen by seed."""
    tones = list(TONES)
    stream(seed, brief.id, "tones").shuffle(tones)
    return [tones[i % len(tones)] for i in range(variants)]


# Verbs a product does as a sentence's subject: "The {name} has ..." said again is "It has ...".
_SUBJECT_VERBS = word_set(
    "has have is are comes come keeps keep brings bring makes make feels feel works work adds add "
    "lets let gives give fits fit holds hold stays stay packs pack takes take"
)


def name_once(fields: Mapping[str, str], slots: Mapping[str, str]) -> dict[str, str]:
    """The fields with the product's full name said once, where it first appears: each later
    mention is a pronoun as a sentence's subject ("It has ..."), else the product's kind ("the
    linen shirt"). Reviewers mark the full name twice in one piece of copy as clumsy."""
    name = slots["name"]
    plural = slots["it"] == "they"
    kind = slots["nouns"] if plural else slots["noun"]
    seen = False

    def later(match: re.Match[str]) -> str:
        nonlocal seen
        if not seen:
            seen = True
            return match.group(0)
        the, start, verb = match.group("the"), match.group("start") is not None, match.group("verb")
        if the and start and verb in _SUBJECT_VERBS:
            return f"{'They' if plural else 'It'} {verb}"
        article = the or ("The " if start else "the ")
        return f"{article}{kind}" + (f" {verb}" if verb else "")

    pattern = re.compile(
        rf"(?P<start>^|(?<=[.!?:]\s)|(?<=\n))?(?P<the>[Tt]he )?{re.escape(name)}(?: (?P<verb>[a-z]+))?"
    )
    return {key: pattern.sub(later, value) for key, value in fields.items()}


REDRAWS = 8  # draws tried when a variant repeats itself (the default corpus redraws one, once)


def repeats(fields: Mapping[str, str], channel: str, product: Mapping[str, Any]) -> bool:
    """Whether the repetition detector (what a reviewer rejects) fires on these fields, judged
    with the brief's facts as the engine judges an output."""
    from contentgen.checks.base import EvalInput
    from contentgen.checks.repetition import RepetitionCheck
    from contentgen.types import Task

    item = EvalInput(
        task=Task.MARKETING,
        text="\n".join(fields.values()),
        fields=fields,
        channel=channel,
        facts={"product": product},
    )
    return bool(RepetitionCheck().problems(item))


def _proofread(fields: Mapping[str, str], product: Mapping[str, Any]) -> dict[str, str]:
    """The fields with the edits the engine makes to a draft (contentgen.checks' fixes): a name
    echo, a dashed range, a repeated "yours" offer, a fact's head noun echoed or a fact pasted
    as a label ("CE marked: it meets ..."), "it" for a plural product."""
    name = str(product["name"])
    return {
        key: agreed(without_fact_slips(without_repeated_yours(spelled_ranges(
            without_name_echoes(value, name)), name), product), product)
        for key, value in fields.items()
    }  # fmt: skip


def write(
    brief: Brief, category: Category, channel: str, tone: str, seed: int, variant: int
) -> dict[str, str]:
    """The fields of one variant of `channel` copy for `brief` in `tone`, redrawn if repetitive."""
    fields: dict[str, str] = {}
    product = brief.facts(category)
    for attempt in range(REDRAWS):
        # Attempt 0 keeps the original stream, so the corpus changes only where a draw repeated.
        parts: tuple[object, ...] = (brief.id, channel, variant) + ((attempt,) if attempt else ())
        rng = stream(seed, *parts)
        slots = base_slots(brief, category, rng)
        fields = WRITERS[channel](Sentences(brief, category, tone, slots, rng))
        for group in reading_groups(channel, list(fields)):
            fields |= name_once({key: fields[key] for key in group}, slots)
        fields = one_exclamation(_proofread(fields, product), channel)
        if not repeats(fields, channel, product):
            break
    return fields
