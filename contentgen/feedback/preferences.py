"""Preference data in the layouts TRL trains on, built from stored ratings.

- dpo: prompt / chosen / rejected, from pairwise preferences, from rating gaps between outputs of
  the same request, and from edited finals (the edit is preferred over the original);
- kto: prompt / completion / label, from thumbs (optionally also scores: >= 4 good, <= 2 bad);
- sft: prompt / completion, from edited finals (optionally also outputs with a high mean score).

An edited final counts only when it passed the checks it went through when it was saved, or a
reviewer overrode them with a reason (`contentgen.review.edits`); ties and pairs whose two texts
are the same never make a chosen/rejected row.

The prompt is the one the model saw: the stored request re-rendered with the stored template;
an output whose template has changed since (hash differs) is skipped, never paired with a prompt
it was not written for. "conversational" rows hold chat messages (TRL applies the model's chat
template, as the transformers generator does); "standard" rows hold plain strings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.errors import ValidationError
from contentgen.feedback.reward_model import utility
from contentgen.ratings import same_text

if TYPE_CHECKING:
    from contentgen.storage.store import Store
    from contentgen.templates import TemplateLibrary
    from contentgen.types import Output, Rating

FORMATS = ("dpo", "kto", "sft")
STYLES = ("conversational", "standard")
COLUMNS = {
    "dpo": ("prompt", "chosen", "rejected"),
    "kto": ("prompt", "completion", "label"),
    "sft": ("prompt", "completion"),
}


@dataclass(frozen=True)
class PreferenceData:
    """Rows in one TRL layout, with counts of where they came from and what was skipped."""

    fmt: str
    style: str
    rows: tuple[dict[str, Any], ...]
    sources: Mapping[str, int]
    skipped: Mapping[str, int]


class _Prompts:
    """Re-renders each request's prompt once, checking the template has not changed."""

    def __init__(self, store: Store, templates: TemplateLibrary, style: str) -> None:
        self.store, self.templates, self.style = store, templates, style
        self.cache: dict[str, Any] = {}
        self.skipped: dict[str, int] = defaultdict(int)

    def get(self, output: Output) -> Any:
        key = f"{output.request_id}:{output.provenance.template_id}"
        if key not in self.cache:
            self.cache[key] = self._render(output)
        return self.cache[key]

    def _render(self, output: Output) -> Any:
        from contentgen.requests_io import prompt_variables, request_from_dict

        template_id = output.provenance.template_id
        if template_id is None or not self.templates.exists(template_id):
            self.skipped["no template"] += 1
            return None
        payload = self.store.request_payload(output.request_id)
        fields = {k: v for k, v in payload.items() if k not in ("task", "error")}
        rendered = self.templates.render(
            template_id, prompt_variables(request_from_dict(output.task, fields))
        )
        if (
            output.provenance.template_hash
            and rendered.template.sha256 != output.provenance.template_hash
        ):
            self.skipped["template changed since"] += 1
            return None
        if self.style == "standard":
            return f"{rendered.system}\n\n{rendered.text}" if rendered.system else rendered.text
        messages = [{"role": "user", "content": rendered.text}]
        if rendered.system:
            messages.insert(0, {"role": "system", "content": rendered.system})
        return messages


def _completion(text: str, style: str) -> Any:
    return text if style == "standard" else [{"role": "assistant", "content": text}]


@dataclass
class _Rated:
    output: Output
    values: list[float]
    thumbs: list[bool]
    scores: list[int]
    edit: str | None = None


def _collect(store: Store, skipped: dict[str, int]) -> tuple[dict[str, _Rated], list[Rating]]:
    from contentgen.storage.review import edit_checks

    ratings = store.ratings()
    checks = edit_checks(store, [r.id for r in ratings if r.kind == "edit"])
    ids = sorted({i for r in ratings for i in (r.output_id, r.other_output_id) if i})
    outputs: dict[str, Output] = {}
    for start in range(0, len(ids), 500):
        outputs.update((o.id, o) for o in store.get_outputs(ids[start : start + 500]))
    rated = {i: _Rated(o, [], [], []) for i, o in outputs.items() if o.text}
    for r in ratings:
        item = rated.get(r.output_id)
        if item is None:
            continue
        value = utility(r.kind, r.score, r.thumb)
        if value is not None:
            item.values.append(value)
        if r.kind == "thumb" and r.thumb is not None:
            item.thumbs.append(r.thumb)
        if r.kind == "score" and r.score is not None:
            item.scores.append(r.score)
        if (
            r.kind == "edit"
            and r.edited_text
            and r.edited_text.strip() != (item.output.text or "").strip()
        ):
            check = checks.get(r.id)
            if check is not None and not check.usable:
                skipped["edit failed checks"] += 1
                continue
            item.edit = r.edited_text  # ratings come oldest first: the latest edit wins
    return rated, [r for r in ratings if r.kind == "preference"]


class _Rows:
    """Rows gathered for a dataset, each once, counted by where they came from."""

    def __init__(self, prompts: _Prompts, style: str) -> None:
        self.prompts = prompts
        self.style = style
        self.rows: list[dict[str, Any]] = []
        self.sources: dict[str, int] = defaultdict(int)
        self._seen: set[str] = set()

    def add(self, source: str, output: Output, **texts: Any) -> None:
        """Add a row for `output`'s prompt (text values become completions in the style)."""
        prompt = self.prompts.get(output)
        if prompt is None:
            return
        values = {
            k: _completion(v, self.style) if isinstance(v, str) else v for k, v in texts.items()
        }
        row = {"prompt": prompt, **values}
        if "chosen" in texts and same_text(str(texts["chosen"]), str(texts.get("rejected"))):
            self.prompts.skipped["same text"] += 1
            return
        key = json.dumps(row, sort_keys=True, ensure_ascii=False)
        if key not in self._seen:
            self._seen.add(key)
            self.rows.append(row)
            self.sources[source] += 1


def build_dataset(
    store: Store,
    templates: TemplateLibrary,
    fmt: str,
    *,
    style: str = "conversational",
    min_gap: float = 1.0,
    include_scores: bool = False,
    min_score: float | None = None,
) -> PreferenceData:
    """Build rows in the `fmt` layout (dpo, kto or sft) from every stored rating."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"unknown preference format {fmt!r}", FORMATS)
    if style not in STYLES:
        raise ValidationError("style", f"unknown style {style!r}", STYLES)
    prompts = _Prompts(store, templates, style)
    rated, preferences = _collect(store, prompts.skipped)
    rows = _Rows(prompts, style)
    if fmt == "dpo":
        _dpo_rows(rows, rated, preferences, min_gap)
    elif fmt == "kto":
        _kto_rows(rows, rated, include_scores)
    else:
        _sft_rows(rows, rated, min_score)
    return PreferenceData(fmt, style, tuple(rows.rows), dict(rows.sources), dict(prompts.skipped))


def _dpo_rows(
    rows: _Rows, rated: Mapping[str, _Rated], preferences: Sequence[Rating], min_gap: float
) -> None:
    """Chosen/rejected pairs: stated preferences, rating gaps between siblings, edits."""
    for r in preferences:
        if r.preferred_output_id is None:
            rows.prompts.skipped["tie"] += 1
            continue
        first, second = rated.get(r.output_id), rated.get(r.other_output_id or "")
        if first is None or second is None or first.output.request_id != second.output.request_id:
            rows.prompts.skipped["preference across requests"] += 1
            continue
        win, lose = (first, second) if r.preferred_output_id == first.output.id else (second, first)
        rows.add(
            "preference", win.output, chosen=win.output.text or "", rejected=lose.output.text or ""
        )
    by_request: dict[str, list[_Rated]] = defaultdict(list)
    for item in rated.values():
        if item.values:
            by_request[item.output.request_id].append(item)
    for siblings in by_request.values():
        for a in siblings:
            for b in siblings:
                gap = 4 * (sum(a.values) / len(a.values) - sum(b.values) / len(b.values))
                if gap >= min_gap:
                    rows.add(
                        "rating gap",
                        a.output,
                        chosen=a.output.text or "",
                        rejected=b.output.text or "",
                    )
    for item in rated.values():
        if item.edit:
            rows.add("edit", item.output, chosen=item.edit, rejected=item.output.text or "")


def _kto_rows(rows: _Rows, rated: Mapping[str, _Rated], include_scores: bool) -> None:
    """Completions labelled good or bad: by thumbs, or by clear scores when asked."""
    for item in rated.values():
        label: bool | None = None
        if item.thumbs and sum(item.thumbs) * 2 != len(item.thumbs):
            label = sum(item.thumbs) * 2 > len(item.thumbs)
        elif include_scores and item.scores:
            mean = sum(item.scores) / len(item.scores)
            label = True if mean >= 4 else False if mean <= 2 else None
        if label is not None:
            source = "thumb" if item.thumbs else "score"
            rows.add(source, item.output, completion=item.output.text or "", label=label)


def _sft_rows(rows: _Rows, rated: Mapping[str, _Rated], min_score: float | None) -> None:
    """Completions to imitate: reviewers' edits, and outputs scored at least `min_score`."""
    for item in rated.values():
        if item.edit:
            rows.add("edit", item.output, completion=item.edit)
        elif (
            min_score is not None
            and item.scores
            and sum(item.scores) / len(item.scores) >= min_score
        ):
            rows.add("high score", item.output, completion=item.output.text or "")


def write_jsonl(data: PreferenceData, path: Path) -> Path:
    """Write the rows as JSONL (for datasets.load_dataset('json', ...)) plus a .meta.json."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in data.rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    meta = {
        "format": data.fmt,
        "style": data.style,
        "rows": len(data.rows),
        "columns": COLUMNS[data.fmt],
        "sources": dict(data.sources),
        "skipped": dict(data.skipped),
    }
    path.with_suffix(".meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return path


def export_preferences(
    store: Store, templates: TemplateLibrary, path: Path, fmt: str, **options: Any
) -> PreferenceData:
    """Build the `fmt` dataset from the database and write it to `path` as JSONL."""
    data = build_dataset(store, templates, fmt, **options)
    write_jsonl(data, path)
    return data
