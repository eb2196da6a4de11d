"""Reviewer rubrics: a short Markdown guideline and named criteria scored 1-5, per template or channel.

A rubric is a Markdown file with TOML front matter between `+++` lines, the format of the
templates' own front matter:

    +++
    title = "Search ads"
    [[criteria]]
    name = "accurate"                      # lower-case id, stored with every score
    label = "Accurate"                     # what the page shows
    question = "Does every claim match the product facts?"
    +++
    Markdown guideline for reviewers ...

The files live in the template folders (the built-in library, plugin folders and
`template_dirs`; earlier folders win) and the most specific one applies to an output:

1. `<task>/<template>.rubric.md`, beside the template (`marketing/product_description.rubric.md`);
2. `_rubrics/channels/<channel>.md` for a marketing channel (`_rubrics/channels/sms.md`);
3. `_rubrics/tasks/<task>.md` for a task;
4. `_rubrics/default.md`.

A file that cannot be used is skipped with a logged warning and listed in `problems`; the next
rubric in the order applies instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contentgen.errors import ConfigError, UnknownNameError, ValidationError

logger = logging.getLogger(__name__)
SCALE = range(1, 6)
MAX_CRITERIA = 8
RUBRIC_SUFFIX = ".rubric.md"
_FRONT = re.compile(r"\A\+\+\+\s*\n(.*?)\n\+\+\+\s*\n?", re.S)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_FILE = re.compile(r"^[a-z][a-z0-9_\-]*$")
RESERVED = frozenset({"overall"})  # the plain 1-5 score's name in agreement tables


@dataclass(frozen=True)
class Criterion:
    """One thing reviewers score from 1 (poor) to 5 (excellent)."""

    name: str
    label: str
    question: str = ""


@dataclass(frozen=True)
class Rubric:
    """A guideline and its criteria; `sha256` is stored with each rating made under it."""

    id: str
    title: str
    guideline: str
    criteria: tuple[Criterion, ...]
    sha256: str
    path: Path | None = None

    def criterion_names(self) -> tuple[str, ...]:
        """The criteria's ids, in order."""
        return tuple(c.name for c in self.criteria)

    def check_scores(self, scores: Mapping[str, Any]) -> dict[str, int]:
        """The scores as {criterion: 1..5}; unknown criteria or values outside 1-5 are errors."""
        names = self.criterion_names()
        checked: dict[str, int] = {}
        for name, value in scores.items():
            if name not in names:
                raise ValidationError("scores", f"unknown criterion {name!r} in {self.id}", names)
            if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
                raise ValidationError(
                    f"scores.{name}", f"must be a whole number from 1 to 5, got {value!r}", SCALE
                )
            checked[name] = value
        return checked


@dataclass(frozen=True)
class RubricProblem:
    """A rubric file that cannot be used, and why."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def parse_rubric(rubric_id: str, raw: str, path: Path | None = None) -> Rubric:
    """A Rubric from a file's text; ValidationError naming what is wrong."""
    match = _FRONT.match(raw)
    if match is None:
        raise ValidationError("rubric", "must open with TOML front matter between +++ lines")
    try:
        meta = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError("rubric", f"front matter is not valid TOML: {exc}") from None
    unknown = sorted(set(meta) - {"title", "criteria"})
    if unknown:
        raise ValidationError(
            "rubric", f"unknown front matter keys {unknown}", ["title", "criteria"]
        )
    raw_criteria = meta.get("criteria")
    if not isinstance(raw_criteria, list) or not 1 <= len(raw_criteria) <= MAX_CRITERIA:
        raise ValidationError("criteria", f"give 1 to {MAX_CRITERIA} [[criteria]] tables")
    criteria = tuple(_criterion(c) for c in raw_criteria)
    names = [c.name for c in criteria]
    if len(set(names)) != len(names):
        raise ValidationError("criteria", f"criterion names repeat: {names}")
    title = meta.get("title", rubric_id)
    if not isinstance(title, str) or not title.strip():
        raise ValidationError("title", "must be non-empty text")
    return Rubric(
        id=rubric_id,
        title=title.strip(),
        guideline=raw[match.end() :].strip(),
        criteria=criteria,
        sha256=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        path=path,
    )


def _criterion(raw: Any) -> Criterion:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ValidationError("criteria", "each [[criteria]] needs a name")
    name = raw["name"]
    if not _NAME.match(name) or name in RESERVED:
        raise ValidationError(
            "criteria.name", f"{name!r}: use lower-case letters, digits and _ (not 'overall')"
        )
    extra = sorted(set(raw) - {"name", "label", "question"})
    if extra:
        raise ValidationError("criteria", f"unknown keys {extra}", ["name", "label", "question"])
    label = raw.get("label") or name.replace("_", " ").capitalize()
    question = raw.get("question", "")
    if not isinstance(label, str) or not isinstance(question, str):
        raise ValidationError("criteria", f"{name}: label and question are text")
    return Criterion(name, label.strip(), question.strip())


class RubricLibrary:
    """Every rubric in a list of template folders (earlier folders override later ones)."""

    def __init__(self, dirs: Sequence[Path]) -> None:
        self.problems: list[RubricProblem] = []
        self._rubrics: dict[str, Rubric] = {}
        for folder in reversed([Path(d) for d in dirs]):
            for rubric_id, path in _files(folder):
                try:
                    text = path.read_text(encoding="utf-8")
                    self._rubrics[rubric_id] = parse_rubric(rubric_id, text, path)
                except (OSError, UnicodeDecodeError, ValidationError) as exc:
                    self.problems.append(RubricProblem(path, str(exc)))
                    logger.warning("rubric %s cannot be used: %s", path, exc)
        if "default" not in self._rubrics:
            raise ConfigError("no usable _rubrics/default.md in the template folders")

    def ids(self) -> list[str]:
        """Every rubric id, sorted."""
        return sorted(self._rubrics)

    def all(self) -> list[Rubric]:
        """Every rubric, by id."""
        return [self._rubrics[i] for i in self.ids()]

    def get(self, rubric_id: str) -> Rubric:
        """The rubric with this id (UnknownNameError naming the others)."""
        if rubric_id not in self._rubrics:
            raise UnknownNameError("rubric", rubric_id, self.ids())
        return self._rubrics[rubric_id]

    def for_output(self, task: str, template_id: str | None, channel: str | None) -> Rubric:
        """The most specific rubric: the template's, the channel's, the task's, else the default."""
        for key in (template_id, f"channel:{channel}" if channel else None, f"task:{task}"):
            if key and key in self._rubrics:
                return self._rubrics[key]
        return self._rubrics["default"]


def _files(folder: Path) -> list[tuple[str, Path]]:
    """(rubric id, path) of every rubric file in one template folder."""
    if not folder.is_dir():
        return []
    found: list[tuple[str, Path]] = []
    for task_dir in sorted(p for p in folder.iterdir() if p.is_dir() and _FILE.match(p.name)):
        for path in sorted(task_dir.glob(f"*{RUBRIC_SUFFIX}")):
            name = path.name[: -len(RUBRIC_SUFFIX)]
            if _FILE.match(name):
                found.append((f"{task_dir.name}/{name}", path))
    shared = folder / "_rubrics"
    if (shared / "default.md").is_file():
        found.append(("default", shared / "default.md"))
    for kind, prefix in (("channels", "channel"), ("tasks", "task")):
        for path in sorted((shared / kind).glob("*.md")) if (shared / kind).is_dir() else []:
            if _FILE.match(path.stem):
                found.append((f"{prefix}:{path.stem}", path))
    return found
