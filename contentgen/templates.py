"""Sandboxed Jinja2 templates with ids "<task>/<name>", inferred variables and override folders.

A template file is `<task>/<name>.j2` (or `.html.j2`, autoescaped). It may open with a TOML
front matter between `+++` lines: description, channel, system (itself a template), stop,
max_new_tokens. Request data is passed as values and never compiled, so `{{ 7*7 }}` inside a
product description comes out literally.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta as jinja_meta
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from contentgen.errors import TemplateError, UnknownNameError, ValidationError
from contentgen.types import Task

BUILTIN_DIR = Path(__file__).parent / "_templates"
SUFFIXES = (".html.j2", ".j2")
_FRONT_MATTER = re.compile(r"\A\+\+\+\s*\n(.*?)\n\+\+\+\s*\n", re.S)
_ID = re.compile(r"^[a-z][a-z0-9_]*/[a-z0-9][a-z0-9_\-]*$")
_META_KEYS = {"description", "channel", "system", "stop", "max_new_tokens", "output", "style"}


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


def template_id_parts(template_id: str) -> tuple[Task, str]:
    """Split and check an id like 'marketing/search_ad'."""
    if not isinstance(template_id, str) or not _ID.match(template_id):
        raise ValidationError(
            "template", f"{template_id!r} is not a template id; ids look like 'marketing/search_ad'"
        )
    task_name, name = template_id.split("/", 1)
    return Task.parse(task_name), name


def _environment(autoescape: bool, loader: jinja2.BaseLoader) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        loader=loader,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    return env


class TemplateLibrary:
    """All templates from a list of folders; earlier folders override later ones."""

    def __init__(self, dirs: Sequence[Path]) -> None:
        self.dirs = tuple(Path(d) for d in dirs)
        self._infos: dict[str, TemplateInfo] = {}
        for folder in reversed(self.dirs):
            for info in self._scan(folder):
                self._infos[info.id] = info
        loader = jinja2.FunctionLoader(self._load_for_include)
        self._text_env = _environment(False, loader)
        self._html_env = _environment(True, loader)
        self._compiled: dict[str, jinja2.Template] = {}

    @classmethod
    def with_builtins(cls, user_dirs: Sequence[Path] = (), plugin_dirs: Sequence[Path] = ()) -> TemplateLibrary:
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
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{template_id} ({path}, line {exc.lineno}): {exc.message}") from None
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

    def _compiled_template(self, info: TemplateInfo) -> jinja2.Template:
        compiled = self._compiled.get(info.id)
        if compiled is None:
            env = self._html_env if info.html else self._text_env
            compiled = env.from_string(info.source)
            self._compiled[info.id] = compiled
        return compiled

    def render(self, template_id: str, variables: Mapping[str, Any]) -> RenderedPrompt:
        """Render a template with request data; a missing variable names what is missing."""
        info = self.get(template_id)
        missing = sorted(info.variables - set(variables))
        if missing:
            raise TemplateError(
                f"{template_id} needs {', '.join(missing)}; the request provides "
                f"{', '.join(sorted(variables)) or 'nothing'}"
            )
        env = self._html_env if info.html else self._text_env
        try:
            text = self._compiled_template(info).render(**variables)
            system = env.from_string(str(info.meta["system"])).render(**variables) if info.meta.get("system") else None
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"{template_id}: {exc.message}") from None
        except SecurityError as exc:
            raise TemplateError(f"{template_id}: blocked by the sandbox: {exc}") from None
        except TemplateError:
            raise
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{template_id}: {exc}") from None
        stop = info.meta.get("stop", ())
        return RenderedPrompt(
            text=text.strip(),
            system=system.strip() if system else None,
            template=info,
            stop=tuple(stop) if isinstance(stop, list | tuple) else (str(stop),),
        )
