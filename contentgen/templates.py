"""Sandboxed Jinja2 templates with ids "<task>/<name>", inferred variables and override folders.

A template file is `<task>/<name>.j2` (or `.html.j2`, autoescaped). It may open with a TOML
front matter between `+++` lines: description, channel, system (itself a template), stop,
max_new_tokens. Request data is passed as values and never compiled, so `{{ 7*7 }}` inside a
product description comes out literally.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta as jinja_meta
from jinja2.sandbox import SecurityError

from contentgen.errors import TemplateError, UnknownNameError, ValidationError
from contentgen.safety.sandbox import LimitedSandbox, RenderLimits, render_limited
from contentgen.safety.untrusted import data_filter, delimiter_instructions
from contentgen.types import Task

logger = logging.getLogger(__name__)
BUILTIN_DIR = Path(__file__).parent / "_templates"
SUFFIXES = (".html.j2", ".j2")
_FRONT_MATTER = re.compile(r"\A\+\+\+\s*\n(.*?)\n\+\+\+\s*\n", re.S)
_ID = re.compile(r"^[a-z][a-z0-9_]*/[a-z0-9][a-z0-9_\-]*$")
_META_KEYS = {
    "description",
    "channel",
    "system",
    "stop",
    "max_new_tokens",
    "output",
    "style",
    "examples",
}


@dataclass(frozen=True)
class TemplateInfo:
    """A template found in the library: id, source, content hash and inferred variables."""

    id: str
    task: Task
    name: str
    path: Path
    source: str
    sha256: str
    meta: Mapping[str, Any]
    variables: frozenset[str]
    html: bool = False

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


def template_id_parts(template_id: str) -> tuple[Task, str]:
    """Split and check an id like 'marketing/search_ad'."""
    if not isinstance(template_id, str) or not _ID.match(template_id):
        raise ValidationError(
            "template", f"{template_id!r} is not a template id; ids look like 'marketing/search_ad'"
        )
    task_name, name = template_id.split("/", 1)
    return Task.parse(task_name), name


def _environment(
    autoescape: bool, loader: jinja2.BaseLoader, limits: RenderLimits | None = None
) -> LimitedSandbox:
    env = LimitedSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        loader=loader,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        limits=limits,
    )
    # `{{ x | data }}` cleans untrusted text inline; `{{ x | data('facts') }}` delimits a block.
    env.filters["data"] = env.guard_filter("data", data_filter)
    env.globals["data_instructions"] = delimiter_instructions()
    return env


class TemplateLibrary:
    """All templates from a list of folders; earlier folders override later ones."""

    def __init__(self, dirs: Sequence[Path], *, limits: RenderLimits | None = None) -> None:
        self.dirs = tuple(Path(d) for d in dirs)
        self.limits = limits or RenderLimits()
        self._infos: dict[str, TemplateInfo] = {}
        for folder in reversed(self.dirs):
            for info in self._scan(folder):
                self._infos[info.id] = info
        loader = jinja2.FunctionLoader(self._load_for_include)
        self._text_env = _environment(False, loader, self.limits)
        self._html_env = _environment(True, loader, self.limits)
        self._compiled_cache: dict[str, jinja2.Template] = {}

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
        for task in Task:
            task_dir = folder / task.value
            if not task_dir.is_dir():
                continue
            for path in sorted(task_dir.iterdir()):
                suffix = next((s for s in SUFFIXES if path.name.endswith(s)), None)
                if suffix is None or not path.is_file():
                    continue
                name = path.name[: -len(suffix)]
                if not _ID.match(f"{task.value}/{name}"):
                    # A file name is never compiled into code, but odd names (quotes, braces) are
                    # refused outright rather than trusted to every later code path.
                    logger.warning("skipping template %s: names are lower-case [a-z0-9_-]", path)
                    continue
                found.append(self._read(task, name, path, html=suffix == ".html.j2"))
        return found

    @staticmethod
    def _read(task: Task, name: str, path: Path, *, html: bool) -> TemplateInfo:
        raw = path.read_text(encoding="utf-8")
        template_id = f"{task.value}/{name}"
        meta: dict[str, Any] = {}
        body = raw
        match = _FRONT_MATTER.match(raw)
        if match:
            try:
                meta = tomllib.loads(match.group(1))
            except tomllib.TOMLDecodeError as exc:
                raise TemplateError(f"{template_id} ({path}): bad front matter: {exc}") from None
            unknown = set(meta) - _META_KEYS
            if unknown:
                raise TemplateError(
                    f"{template_id}: unknown front-matter key {sorted(unknown)[0]!r} "
                    f"(valid: {', '.join(sorted(_META_KEYS))})"
                )
            body = raw[match.end() :]
        env = _environment(html, jinja2.BaseLoader())
        try:
            variables = set(jinja_meta.find_undeclared_variables(env.parse(body)))
            if meta.get("system"):
                variables |= jinja_meta.find_undeclared_variables(env.parse(str(meta["system"])))
            variables -= set(env.globals)  # range, lipsum, data_instructions: not request data
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"{template_id} ({path}, line {exc.lineno}): {exc.message}"
            ) from None
        except (RecursionError, MemoryError) as exc:
            raise TemplateError(f"{template_id} ({path}): too deeply nested ({exc})") from None
        return TemplateInfo(
            id=template_id,
            task=task,
            name=name,
            path=path,
            source=body,
            sha256=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
            meta=meta,
            variables=frozenset(variables),
            html=html,
        )

    def _load_for_include(self, name: str) -> str:
        # Only library ids may be included: no absolute paths, no '../', no file system access.
        if name not in self._infos:
            raise TemplateError(
                f"templates may only include library ids like 'marketing/search_ad', not {name!r}"
            )
        return self._infos[name].source

    def ids(self, task: Task | None = None) -> list[str]:
        """Template ids, optionally for one task."""
        return sorted(i for i, info in self._infos.items() if task is None or info.task == task)

    def list(self, task: Task | None = None) -> list[TemplateInfo]:
        """Template infos, optionally for one task."""
        return [self._infos[i] for i in self.ids(task)]

    def get(self, template_id: str) -> TemplateInfo:
        """The template with this id, or an error listing the ids of its task."""
        task, _ = template_id_parts(template_id)
        try:
            return self._infos[template_id]
        except KeyError:
            raise UnknownNameError("template", template_id, self.ids(task)) from None

    def exists(self, template_id: str) -> bool:
        """True when the library has this id."""
        return template_id in self._infos

    def _compiled(self, key: str, source: str, html: bool) -> jinja2.Template:
        compiled = self._compiled_cache.get(key)
        if compiled is None:
            env = self._html_env if html else self._text_env
            compiled = env.from_string(source)
            self._compiled_cache[key] = compiled
        return compiled

    def render(self, template_id: str, variables: Mapping[str, Any]) -> RenderedPrompt:
        """Render a template with request data; a missing variable names what is missing.

        Rendering runs in a budgeted sandbox (see contentgen.safety.sandbox.RenderLimits): a
        template that tries to escape, runs too long or produces too much raises TemplateError.
        """
        info = self.get(template_id)
        missing = sorted(info.variables - set(variables))
        if missing:
            raise TemplateError(
                f"{template_id} needs {', '.join(missing)}; the request provides "
                f"{', '.join(sorted(variables)) or 'nothing'}"
            )
        try:
            template = self._compiled(info.id, info.source, info.html)
            text = render_limited(template, variables, self.limits)
            system = None
            if info.meta.get("system"):
                template = self._compiled(f"{info.id}#system", str(info.meta["system"]), info.html)
                system = render_limited(template, variables, self.limits)
            examples = self._render_examples(info, variables)
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"{template_id}: {exc.message}") from None
        except SecurityError as exc:
            raise TemplateError(f"{template_id}: blocked by the sandbox: {exc}") from None
        except TemplateError:
            raise
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{template_id}: {exc}") from None
        except RecursionError:
            raise TemplateError(f"{template_id}: blocked by the sandbox: recursion") from None
        except Exception as exc:  # any runtime failure inside a template is the template's error
            raise TemplateError(f"{template_id}: {type(exc).__name__}: {exc}") from None
        stop = info.meta.get("stop", ())
        return RenderedPrompt(
            text=text.strip(),
            system=system.strip() if system else None,
            template=info,
            stop=tuple(stop) if isinstance(stop, list | tuple) else (str(stop),),
            examples=examples,
        )

    def _render_examples(
        self, info: TemplateInfo, variables: Mapping[str, Any]
    ) -> tuple[tuple[str, str], ...]:
        """Few-shot turns: the template rendered with each example's data, paired with its answer.

        Small instruct models follow a format far more reliably when shown one worked example as
        a previous chat turn than when the format is only described.
        """
        examples = info.meta.get("examples", [])
        if not isinstance(examples, list) or not all(
            isinstance(e, dict) and "answer" in e for e in examples
        ):
            raise TemplateError(
                f"{info.id}: examples must be a list of tables, each with an 'answer'"
            )
        template = self._compiled(info.id, info.source, info.html)
        turns = []
        for example in examples:
            merged = {**variables, **{k: v for k, v in example.items() if k != "answer"}}
            turns.append(
                (
                    render_limited(template, merged, self.limits).strip(),
                    str(example["answer"]).strip(),
                )
            )
        return tuple(turns)
