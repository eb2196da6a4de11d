"""Write the checks' copies of the corpus lexicons: benefit_lexicon.json, audience_hooks.json and
spec_sayings.json and category_hashtags.json.

The copywriting corpus's lexicon (`contentgen/datasets/copywriting/data/categories/`) records, for
each feature, material and certification of its 24 categories, two or three benefits ("gift box":
"it is ready to give the moment it arrives", "no extra wrapping is needed"), by category label.
The `benefits` check reads this copy of it to judge a benefit that copy gives a fact whose brief
states none (`unfit_benefit`), and marketing requests fill in the benefits a brief does not state
from it (contentgen.tasks.brief_suggestions); a test keeps the copy equal to the lexicon.
Each category also names what every audience uses the product for (its "hook": students of
apparel, "lectures, libraries and late nights"); the `purpose` check reads
contentgen/checks/data/audience_hooks.json to tell a purpose the copy may give the product from an
invented one. For each measured spec it writes what the spec means ("maximum load": "It takes a
maximum load of {value}."); the `spec_claims` check reads contentgen/checks/data/spec_sayings.json
to tell a spec stated as the corpus states it from one given another spec's meaning ("At 80 kg,
it is easy to carry"). The `hashtags` check reads each category's hashtags
(contentgen/checks/data/category_hashtags.json) to tell a post's hashtag from another category's
("#trailrunning" on a linen shirt). The `off_topic` check reads the words the corpus's search-ad
headlines use beyond the request's (contentgen/checks/data/headline_words.json) to tell a headline
a reader can follow from one with words of its own ("Rising Garden Beds at a Price"). The
`spelling` check takes every word of the corpus's data files as a house word
(contentgen/checks/data/house_words.json: "grippy", "percale", "psst"), beside CMUdict's.

    python scripts/build_benefit_lexicon.py
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contentgen.datasets.copywriting.marketing import FALLBACK_HEADLINE  # noqa: E402
from contentgen.datasets.copywriting.resources import (  # noqa: E402
    benefits_by_category,
    categories,
    phrases,
)

DATA = ROOT / "contentgen" / "checks" / "data"
OUT = DATA / "benefit_lexicon.json"
HOOKS = DATA / "audience_hooks.json"
SPECS = DATA / "spec_sayings.json"
HASHTAGS = DATA / "category_hashtags.json"
HEADLINES = DATA / "headline_words.json"
HOUSE_WORDS = DATA / "house_words.json"
CORPUS_DATA = ROOT / "contentgen" / "datasets" / "copywriting" / "data"


def lexicon() -> dict[str, dict[str, list[str]]]:
    """The lexicon as the file holds it: facts in order, each with its categories in order and
    their benefits sorted."""
    return {
        fact: {label: sorted(says) for label, says in sorted(per_category.items())}
        for fact, per_category in sorted(benefits_by_category().items())
    }


def audience_hooks() -> dict[str, dict[str, str]]:
    """Each category label with what each of its audiences uses the product for."""
    return {
        cat.label: {a.name: a.hook for a in sorted(cat.audiences, key=lambda a: a.name)}
        for cat in sorted(categories(), key=lambda c: c.label)
    }


def spec_sayings() -> dict[str, dict[str, list[str]]]:
    """Each category label with each spec label's sentences and short form, sorted."""
    sayings: dict[str, dict[str, set[str]]] = {}
    for cat in categories():
        for spec in cat.specs.values():
            sayings.setdefault(cat.label, {}).setdefault(spec.label, set()).update(
                (*spec.say, spec.short)
            )
    return {
        label: {spec: sorted(says) for spec, says in sorted(per.items())}
        for label, per in sorted(sayings.items())
    }


def category_hashtags() -> dict[str, list[str]]:
    """Each category label with the hashtags its social posts use, sorted."""
    return {cat.label: sorted(cat.hashtags) for cat in sorted(categories(), key=lambda c: c.label)}


def headline_words() -> dict[str, Any]:
    """The words the corpus's search-ad headlines use beyond the request's (the templates' own
    words, every tone's), and each fact's headline adjective ("foldable design": "foldable")."""
    banks = phrases()
    templates = [*banks["search_ad"]["headline"]]
    templates += [h for tone in banks["tones"].values() for h in tone.get("headline", ())]
    templates.append(FALLBACK_HEADLINE)
    words = {
        w.lower() for t in templates for w in re.findall(r"(?<!\{)\b[A-Za-z][\w-]*\b(?!\})", t)
    }
    adjectives = {
        fact: feature.adj
        for cat in categories()
        for fact, feature in cat.features.items()
        if feature.adj
    }
    return {"template_words": sorted(words), "adjectives": dict(sorted(adjectives.items()))}


def house_words() -> list[str]:
    """Every word (three letters or more, lower case) of the corpus's data files' keys and texts:
    the words the corpus teaches the copywriter, English or not ("grippy", "percale")."""
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            texts.extend(str(k) for k in value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            texts.append(value)

    for path in sorted(CORPUS_DATA.rglob("*.toml")):
        walk(tomllib.loads(path.read_text(encoding="utf-8")))
    words = {w.lower() for text in texts for w in re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)*", text)}
    return sorted(w for w in words if len(w) >= 3)


def main() -> int:
    """Write the files; 0 on success."""
    files = (
        (OUT, lexicon(), "facts"),
        (HOOKS, audience_hooks(), "categories"),
        (SPECS, spec_sayings(), "categories"),
        (HASHTAGS, category_hashtags(), "categories"),
        (HEADLINES, headline_words(), "headline word lists"),
        (HOUSE_WORDS, house_words(), "house words"),
    )
    for path, data, what in files:
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{len(data)} {what} written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
