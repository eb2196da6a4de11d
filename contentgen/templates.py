"""Sandboxed Jinja2 templates with ids "<task>/<name>", inferred variables and override folders.

A template file is `<task>/<name>.j2` (or `.html.j2`, autoescaped). It may open with a TOML
front matter between `+++` lines: description, channel, system (itself a template), stop,
max_new_tokens, fields ("each": the channel written field by field, `contentgen.fields`).
Request data is passed as values and never compiled, so `{{ 7*7 }}` inside a product
description comes out literally. A file that does not parse is listed with its problem
and fails only the requests that use it. Rendering happens in a budgeted sandbox in a worker
process that is killed when a render overruns (see `contentgen.safety.render_pool`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta as jinja_meta

from contentgen.errors import ContentgenError, TemplateError, UnknownNameError, ValidationError
from contentgen.safety.budget import RenderLimits
from contentgen.safety.render_pool import LibraryPayload, RenderFailure, RenderPool, shared_pool
from contentgen.safety.render_worker import prompt_environment
from contentgen.types import Task

logger = logging.getLogger(__name__)
BUILTIN_DIR = Path(__file__).parent / "_templates"
SUFFIXES = (".html.j2", ".j2")
_FRONT_MATTER = re.compile(r"\A\+\+\+\s*\n(.*?)\n\+\+\+\s*\n", re.S)
_ID = re.compile(r"^[a-z][a-z0-9_]*/[a-z0-9][a-z0-9_\-]*$")
_TASK_DIR = re.compile(r"[a-z][a-z0-9_]*")
_META_KEYS = {
    "description",
    "channel",
    "system",
    "stop",
    "max_new_tokens",
    "fields",
    "output",
    "style",
    "examples",
}


@dataclass(frozen=True)
class TemplateProblem:
    """Why a template file cannot be used: the file, the line when known, and what is wrong."""

    path: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class TemplateInfo:
    """A template found in the library: id, source, content hash and inferred variables.

    A file that cannot be used (syntax error, bad front matter, unreadable) is still listed, with
    its `problem`; only requests that use it fail.
    """

    id: str
    task: Task
    name: str
    path: Path
    source: str
    sha256: str
    meta: Mapping[str, Any]
    variables: frozenset[str]
    html: bool = False
    problem: TemplateProblem | None = None

    @property
    def description(self) -> str:
        """The front matter's one-line description."""
        return str(self.meta.get("description", ""))

    @property
    def channel(self) -> str | None:
        """The marketing channel this template writes for, if any."""
        value = self.meta.get("channel")
        return str(value) if value else None


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered template: the prompt text, an optional system message and the template used."""

    text: str
    system: str | None
    template: TemplateInfo
    stop: tuple[str, ...] = field(default_factory=tuple)
    examples: tuple[tuple[str, str], ...] = ()


Renders = list[RenderedPrompt | ContentgenError]  # per request: its prompt, or why it has none
Parts = list[tuple[str, Mapping[str, Any]]]  # one render job: (source key, variables) pairs


def template_id_parts(template_id: str) -> tuple[Task, str]:
    """Split and check an id like 'marketing/search_ad'."""
    if not isinstance(template_id, str) or not _ID.match(template_id):
        raise ValidationError(
            "template", f"{template_id!r} is not a template id; ids look like 'marketing/search_ad'"
        )
    task_name, name = template_id.split("/", 1)
    return Task.parse(task_name), name


_TOML_LINE = re.compile(r"at line (\d+)")


def _front_matter(raw: str, path: Path) -> tuple[dict[str, Any], str, int, TemplateProblem | None]:
    """Split a file into front matter, body and the lines before the body; a problem if malformed."""
    match = _FRONT_MATTER.match(raw)
    if not match:
        return {}, raw, 0, None
    body, offset = raw[match.end() :], raw[: match.end()].count("\n")
    try:
        meta = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        # +1: the opening '+++'; "at end of document" is the front matter's last line
        line = int(found.group(1)) + 1 if found else offset - 1
        return {}, body, offset, TemplateProblem(path, f"bad front matter: {exc}", line)
    problem = None
    unknown = set(meta) - _META_KEYS
    examples = meta.get("examples", [])
    if unknown:
        problem = TemplateProblem(
            path,
            f"unknown front-matter key {sorted(unknown)[0]!r} "
            f"(valid: {', '.join(sorted(_META_KEYS))})",
        )
    elif not isinstance(examples, list) or not all(
        isinstance(e, dict) and "answer" in e for e in examples
    ):
        problem = TemplateProblem(path, "examples must be a list of tables, each with an 'answer'")
    return meta, body, offset, problem


def _inspect(
    body: str, meta: Mapping[str, Any], html: bool, path: Path, offset: int
) -> tuple[frozenset[str], TemplateProblem | None]:
    """The variables a template needs, or the problem that stops it compiling (with its line)."""
    env = prompt_environment(html, jinja2.BaseLoader())
    variables: set[str] = set()
    for label, source, first_line in (
        ("", body, offset),
        ("the front matter's system template: ", str(meta.get("system") or ""), None),
    ):
        try:
            tree = env.parse(source)
            env.compile(tree, raw=True)  # code generation: unknown filters and tests fail here
            variables |= jinja_meta.find_undeclared_variables(tree)
        except jinja2.TemplateSyntaxError as exc:
            if first_line is None:
                return frozenset(), TemplateProblem(
                    path, f"{label}line {exc.lineno}: {exc.message}"
                )
            return frozenset(), TemplateProblem(path, str(exc.message), exc.lineno + first_line)
        except jinja2.TemplateError as exc:
            return frozenset(), TemplateProblem(path, f"{label}{exc}")
        except (RecursionError, MemoryError) as exc:
            return frozenset(), TemplateProblem(path, f"{label}too deeply nested ({exc})")
    # range, lipsum, data_instructions: globals, not request data
    return frozenset(variables - set(env.globals)), None


class TemplateLibrary:
    """All templates from a list of folders; earlier folders override later ones.

    Templates render in worker processes (`contentgen.safety.render_pool`), so a render that runs
    past its time budget is stopped, whatever it calls. Pass `pool` to use a pool of your own.
    """

    def __init__(
        self,
        dirs: Sequence[Path],
        *,
        limits: RenderLimits | None = None,
        pool: RenderPool | None = None,
    ) -> None:
        self.dirs = tuple(Path(d) for d in dirs)
        self.limits = limits or RenderLimits()
        self._pool = pool
        self._infos: dict[str, TemplateInfo] = {}
        for folder in reversed(self.dirs):
            for info in self._scan(folder):
                self._infos[info.id] = info
        for info in self._infos.values():
            if info.problem is not None:
                logger.warning("template %s cannot be used: %s", info.id, info.problem)
        self._payload = self._worker_payload()

    @classmethod
    def with_builtins(
        cls, user_dirs: Sequence[Path] = (), plugin_dirs: Sequence[Path] = ()
    ) -> TemplateLibrary:
        """User folders first, then plugin folders, then the built-in library."""
        return cls([*user_dirs, *plugin_dirs, BUILTIN_DIR])

    def _scan(self, folder: Path) -> list[TemplateInfo]:
        if not folder.is_dir():
            return []
        found = []
        # Every folder named like a task holds that task's templates: plugin tasks are tasks too
        # (the library does not know which tasks an engine serves; routing checks that).
        for task_dir in sorted(folder.iterdir()):
            if not task_dir.is_dir() or not _TASK_DIR.fullmatch(task_dir.name):
                continue
            task = Task(task_dir.name)
            for path in sorted(task_dir.iterdir()):
                suffix = next((s for s in SUFFIXES if path.name.endswith(s)), None)
                if suffix is None or not path.is_file():
                    continue
                name = path.name[: -len(suffix)]
                if not _ID.match(f"{task}/{name}"):
                    # A file name is never compiled into code, but odd names (quotes, braces) are
                    # refused outright rather than trusted to every later code path.
                    logger.warning("skipping template %s: names are lower-case [a-z0-9_-]", path)
                    continue
                found.append(self._read(task, name, path, html=suffix == ".html.j2"))
        return found

    @staticmethod
    def _read(task: Task, name: str, path: Path, *, html: bool) -> TemplateInfo:
        template_id = f"{task}/{name}"
        try:
            data = path.read_bytes()
            raw = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            unreadable = TemplateProblem(path, f"cannot be read as UTF-8 text: {exc}")
            return TemplateInfo(
                template_id, task, name, path, "", "", {}, frozenset(), html, unreadable
            )
        meta, body, offset, problem = _front_matter(raw, path)
        variables: frozenset[str] = frozenset()
        if problem is None:
            variables, problem = _inspect(body, meta, html, path, offset)
        return TemplateInfo(
            id=template_id,
            task=task,
            name=name,
            path=path,
            source=body,
            sha256=hashlib.sha256(data).hexdigest(),
            meta=meta,
            variables=variables,
            html=html,
            problem=problem,
        )

    def _worker_payload(self) -> LibraryPayload:
        sources: dict[str, tuple[str, bool]] = {}
        problems: dict[str, str] = {}
        for info in self._infos.values():
            if info.problem is not None:
                problems[info.id] = str(info.problem)
                continue
            sources[info.id] = (info.source, info.html)
            if info.meta.get("system"):
                sources[f"{info.id}#system"] = (str(info.meta["system"]), info.html)
        limits = dataclasses.asdict(self.limits)
        blob = json.dumps([sorted(sources.items()), sorted(problems.items()), limits])
        key = hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()
        return LibraryPayload(key, sources, problems, self.limits)

    def ids(self, task: str | None = None) -> list[str]:
        """Ids of the usable templates, optionally for one task."""
        return sorted(
            i
            for i, info in self._infos.items()
            if (task is None or info.task == task) and info.problem is None
        )

    def list(self, task: str | None = None, *, include_broken: bool = False) -> list[TemplateInfo]:
        """Template infos, optionally for one task; broken ones (with their problem) on request."""
        return [
            info
            for _, info in sorted(self._infos.items())
            if (task is None or info.task == task) and (include_broken or info.problem is None)
        ]

    def get(self, template_id: str) -> TemplateInfo:
        """The template with this id, or an error listing the ids of its task (or its problem)."""
        task, _ = template_id_parts(template_id)
        try:
            info = self._infos[template_id]
        except KeyError:
            raise UnknownNameError("template", template_id, self.ids(task)) from None
        if info.problem is not None:
            raise TemplateError(f"template {template_id} cannot be used: {info.problem}")
        return info

    def exists(self, template_id: str) -> bool:
        """True when the library has this id (even if the file is broken: using it says why)."""
        return template_id in self._infos

    def render(self, template_id: str, variables: Mapping[str, Any]) -> RenderedPrompt:
        """Render a template with request data; a missing variable names what is missing.

        The prompt, its system message and its few-shot examples render as one job in a
        budgeted sandbox (see contentgen.safety.sandbox.RenderLimits) in a worker process: a
        template that tries to escape, runs too long or produces too much raises TemplateError,
        and one that runs past 1.5x its time budget is stopped.
        """
        result = self.render_many([(template_id, variables)])[0]
        if isinstance(result, ContentgenError):
            raise result
        return result

    def render_many(self, requests: Sequence[tuple[str, Mapping[str, Any]]]) -> Renders:
        """Render several (template id, variables) pairs in one worker round trip.

        Each keeps the budget and the guarantees of `render`; one that fails (an unknown id,
        a missing variable, a render the sandbox stopped) is that entry's error, in its place.
        """
        found: dict[int, RenderedPrompt | ContentgenError] = {}
        jobs: dict[int, tuple[TemplateInfo, Parts]] = {}
        for index, (template_id, variables) in enumerate(requests):
            try:
                info = self.get(template_id)
                jobs[index] = (info, _parts(info, variables))
            except ContentgenError as exc:
                found[index] = exc
        texts = (self._pool or shared_pool()).render_many(
            self._payload, [parts for _, parts in jobs.values()]
        )
        for (index, (info, _)), result in zip(jobs.items(), texts, strict=True):
            found[index] = (
                _render_error(info.id, result)
                if isinstance(result, RenderFailure)
                else _rendered(info, result)
            )
        return [found[index] for index in range(len(requests))]


def _parts(info: TemplateInfo, variables: Mapping[str, Any]) -> Parts:
    """The render job of a template: its prompt, its system message, its examples' prompts."""
    missing = sorted(info.variables - set(variables))
    if missing:
        raise TemplateError(
            f"{info.id} needs {', '.join(missing)}; the request provides "
            f"{', '.join(sorted(variables)) or 'nothing'}"
        )
    parts: Parts = [(info.id, variables)]
    if info.meta.get("system"):
        parts.append((f"{info.id}#system", variables))
    for example in info.meta.get("examples", []):
        parts.append(
            (info.id, {**variables, **{k: v for k, v in example.items() if k != "answer"}})
        )
    return parts


def _rendered(info: TemplateInfo, texts: Sequence[str]) -> RenderedPrompt:
    """A render job's texts as the prompt, its system message and its few-shot turns."""
    has_system = bool(info.meta.get("system"))
    system = texts[1] if has_system else None
    examples = info.meta.get("examples", [])
    turns = tuple(
        (text.strip(), str(example["answer"]).strip())
        for text, example in zip(texts[1 + has_system :], examples, strict=True)
    )
    stop = info.meta.get("stop", ())
    return RenderedPrompt(
        text=texts[0].strip(),
        system=system.strip() if system else None,
        template=info,
        stop=tuple(stop) if isinstance(stop, list | tuple) else (str(stop),),
        examples=turns,
    )


def _render_error(template_id: str, failure: RenderFailure) -> ContentgenError:
    """The error a user sees for a failed render, by what went wrong."""
    if failure.kind == "template":  # already names the problem (e.g. a refused include)
        return TemplateError(failure.message)
    if failure.kind in ("security", "crashed"):
        return TemplateError(f"{template_id}: blocked by the sandbox: {failure.message}")
    if failure.kind == "unavailable":
        return ContentgenError(f"cannot render templates here: {failure.message}")
    return TemplateError(f"{template_id}: {failure.message}")
