"""A deterministic train/held-out split, stratified: the same share held out in every group."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

TRAIN, HELDOUT = "train", "heldout"


def stratified_split(
    items: Iterable[tuple[str, str]], heldout_share: float = 0.2, seed: int = 0
) -> dict[str, str]:
    """Map each id to 'train' or 'heldout'; `items` are (id, group) pairs.

    Within each group the ids are ordered by a seeded hash and the first round(share * n) are
    held out, so the split depends only on the ids, the groups and the seed.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for item_id, group in items:
        groups[group].append(item_id)
    split: dict[str, str] = {}
    for ids in groups.values():
        ordered = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
        cut = round(heldout_share * len(ordered))
        split |= {item_id: HELDOUT if n < cut else TRAIN for n, item_id in enumerate(ordered)}
    return split
