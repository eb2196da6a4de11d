"""Every Python and TOML block of README.md runs as written, so the README cannot drift from the code.

Blocks are found with markdown-it-py and each is one test, named `<section>-L<line>` after the
README heading above it and the line of its opening fence. What a block cannot have here comes
from explicit tables below, never from silently leaving a block out:

- Python blocks of one section run in order in a fresh directory (each test runs the section's
  earlier blocks first). `contentgen.toml` there routes every task to a generator that loads no
  model (`HARNESS_CONFIG`); names and files the README leaves to the reader (`text`,
  `catalogue.csv`) come from `NAMESPACE` and `FILES`. A block whose first line is `# <name>.py`
  is that file: written under its name and imported, or run with pytest when it is `test_*.py`.
- TOML blocks parse with tomllib. A settings block loads through `load_settings` and builds an
  Engine whose configured routes and generator options are checked the way a request checks
  them, before any model loads; values that cannot exist here go through `SUBSTITUTIONS`.
  A pyproject block's entry points are installed as a distribution's metadata and loaded by
  contentgen's plugin loader.
- A Jinja block is a template: placed in a `template_dirs` folder as `TEMPLATE_AS`, the engine
  loads it and renders a request through it.
- A block that truly cannot run here carries `<!-- readme-test: skip (reason) -->` on the line
  before it in the README; its test is reported as skipped with that reason.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from contentgen import (
    CustomerServiceRequest,
    Engine,
    ImageRequest,
    MarketingRequest,
    NewsSummaryRequest,
)
from contentgen.config import load_settings
from contentgen.plugins import ENTRY_POINT_GROUP, load_plugins
from contentgen.testing import GeneratorContract, echo_plugin
from contentgen.types import Result, Task

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXECUTED = {"python", "toml", "jinja"}
# Fenced languages that are shown, not run, and why.
NOT_EXECUTED = {
    "bash": "shell commands (make targets, the CLI) are exercised by the Makefile and CLI tests",
    "text": "printed output and file formats shown as examples, not code",
}
# Where a template block goes in a `template_dirs` folder (its channel makes it a marketing one).
TEMPLATE_AS = "marketing/readme_example.j2"
SKIP_MARK = re.compile(r"<!--\s*readme-test:\s*skip\s*\((?P<reason>.+?)\)\s*-->", re.S)
FILE_HEADER = re.compile(r"\A#\s*(?P<name>[\w./-]+\.py)\s*\n")

HARNESS_CONFIG = """\
data_dir = "data"
[routes.marketing]
generator = "seasonal:phrasebook"
[routes.news_summary]
generator = "builtin:extractive"
[routes.customer_service]
generator = "testing:echo"
[routes.image]
generator = "testing:noise"
"""
ARTICLE = (
    "The city council approved a new cycling plan on Tuesday. The plan adds 40 kilometres of "
    "protected lanes by 2028. Shop owners on the main street had asked for more parking. The "
    "mayor said the lanes will be built in three phases. Work on the first phase starts in May."
)
# Names the README's Python blocks use without defining them.
NAMESPACE: dict[str, Any] = {"text": ARTICLE}
# Files the README's Python blocks read without showing them.
FILES = {
    "catalogue.csv": "sku,title,price_eur\nMUG-1,Enamel Camp Mug,12\nLMP-2,Folding Lantern,24.50\n"
}
# Values in the README's TOML that cannot exist on a test machine, and what stands in for them
# ("{tmp}" is the block's own directory).
SUBSTITUTIONS = {
    "postgresql://user@db/marketing": "sqlite:///{tmp}/marketing.db",
    "/models/my-finetuned-llama": "{tmp}/models/my-finetuned-llama",
}
SAMPLE_REQUESTS = {
    Task.MARKETING: lambda: MarketingRequest(product={"name": "Enamel Camp Mug"}, channel="sms"),
    Task.NEWS_SUMMARY: lambda: NewsSummaryRequest(article=ARTICLE),
    Task.CUSTOMER_SERVICE: lambda: CustomerServiceRequest(message="Where is my parcel?"),
    Task.IMAGE: lambda: ImageRequest(prompt="white sneaker"),
}


@dataclass(frozen=True)
class Block:
    """One fenced code block of the README."""

    section: str
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    skip: str | None = None

    @property
    def id(self) -> str:
        """`<section>-L<line>`, the test id."""
        return f"{re.sub(r'[^a-z0-9]+', '-', self.section.lower()).strip('-')}-L{self.line}"

    @property
    def file_name(self) -> str | None:
        """The file this block is, when its first line is `# <name>.py`."""
        found = FILE_HEADER.match(self.code)
        return found["name"] if found else None


def readme_blocks(markdown: str) -> list[Block]:
    """Every fenced block of a Markdown document with its section and line."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    section, blocks = "top", []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            section = tokens[i + 1].content
        elif token.type == "fence" and token.map is not None:
            before = tokens[i - 1] if i else None
            mark = (
                SKIP_MARK.search(before.content)
                if before is not None and before.type == "html_block"
                else None
            )
            blocks.append(
                Block(
                    section=section,
                    line=token.map[0] + 1,
                    language=token.info.split()[0] if token.info.strip() else "",
                    code=token.content,
                    skip=mark["reason"] if mark else None,
                )
            )
    return blocks


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))
PYTHON = [b for b in BLOCKS if b.language == "python"]
TOML = [b for b in BLOCKS if b.language == "toml"]
JINJA = [b for b in BLOCKS if b.language == "jinja"]


def _earlier(block: Block) -> list[Block]:
    """The Python blocks of the same section above `block`: what a reader has already run."""
    return [b for b in PYTHON if b.section == block.section and b.line < block.line and not b.skip]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh project directory (cwd) with the harness config and files; no model can load."""
    (tmp_path / "contentgen.toml").write_text(HARNESS_CONFIG, encoding="utf-8")
    for name, content in FILES.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("CONTENTGEN_")]:
        monkeypatch.delenv(name)
    for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME"):  # a block without data_dir writes here
        monkeypatch.setenv(name, str(tmp_path / "home" / name.lower()))
    # The diversity check would load MiniLM (torch) for multi-variant requests: not here.
    monkeypatch.setattr(
        "contentgen.checks.diversity._embeddings_installed", lambda: False
    )
    # The README's own `Engine.from_config()` also gets the fast test generators (testing:echo,
    # testing:noise) that HARNESS_CONFIG routes to; entry-point plugins load as for a user.
    build = Engine.from_config.__func__  # type: ignore[attr-defined]

    def with_fast_generators(cls: type[Engine], path: Any = None, **kwargs: Any) -> Engine:
        extra = [*kwargs.pop("extra_plugins", ()), ("testing", echo_plugin())]
        return build(cls, path, extra_plugins=extra, **kwargs)

    monkeypatch.setattr(Engine, "from_config", classmethod(with_fast_generators))
    monkeypatch.syspath_prepend(str(tmp_path))
    modules_before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - modules_before:
        origin = getattr(sys.modules[name], "__file__", None) or ""
        if origin.startswith(str(tmp_path)):
            del sys.modules[name]
    importlib.invalidate_caches()


def _pytest_counts(output: str) -> dict[str, int]:
    return {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|error|skipped)", output)}


def run_python(block: Block, directory: Path, namespace: dict[str, Any]) -> None:
    """Run one Python block the way a reader would: a file is written (and imported or tested)."""
    name = block.file_name
    if name is None:
        # Padding keeps README line numbers in tracebacks.
        code = compile("\n" * block.line + block.code, str(README), "exec")
        exec(code, namespace)
        empty = [n for n, v in namespace.items() if isinstance(v, Result) and not v.outputs]
        assert not empty, f"README block at line {block.line}: {empty} accepted no output"
        return
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.code, encoding="utf-8")
    if not path.name.startswith("test_"):
        importlib.import_module(".".join(Path(name).with_suffix("").parts))
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTENTGEN_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{name} from README line {block.line} failed:\n{done.stdout}"
    passed = _pytest_counts(done.stdout).get("passed", 0)
    contract = [n for n in dir(GeneratorContract) if n.startswith("test_")]
    needed = len(contract) if "GeneratorContract" in block.code else 1
    assert passed >= needed, f"{name}: {passed} tests passed, expected {needed}:\n{done.stdout}"


def _close_engines(namespace: dict[str, Any]) -> None:
    for value in namespace.values():
        if isinstance(value, Engine):
            value.close()


@pytest.mark.parametrize("block", PYTHON, ids=[b.id for b in PYTHON])
def test_python_block_runs(block: Block, workdir: Path) -> None:
    if block.skip:
        pytest.skip(f"README marks it: {block.skip}")
    namespace: dict[str, Any] = {"__name__": "readme", **NAMESPACE}
    try:
        for earlier in _earlier(block):
            run_python(earlier, workdir, namespace)
        run_python(block, workdir, namespace)
    finally:
        _close_engines(namespace)


def _is_pyproject(raw: dict[str, Any]) -> bool:
    return bool({"project", "build-system", "tool"} & set(raw))


def _substituted(block: Block, directory: Path) -> str:
    text = block.code
    for value, stand_in in SUBSTITUTIONS.items():
        text = text.replace(value, stand_in.format(tmp=directory.as_posix()))
    return text


def _named_files(raw: dict[str, Any], directory: Path) -> None:
    """The files a settings block points at, as a user would have them."""
    if "brand_kit" in raw:
        shutil.copy(ROOT / "examples" / "brand_kit.toml", directory / raw["brand_kit"])
    for folder in raw.get("template_dirs", []):
        (directory / folder).mkdir(parents=True, exist_ok=True)


def check_settings_block(block: Block, directory: Path) -> None:
    """Load a contentgen.toml block and check its routes and generator options, loading no model."""
    config = directory / "example" / "contentgen.toml"
    config.parent.mkdir()
    config.write_text(_substituted(block, config.parent), encoding="utf-8")
    raw = tomllib.loads(config.read_text(encoding="utf-8"))
    _named_files(raw, config.parent)
    settings = load_settings(config, env={})
    for task_name, route in raw.get("routes", {}).items():
        assert settings.route(Task.parse(task_name)).generator == route["generator"]
    with Engine.from_config(config) as engine:
        for task_name in raw.get("routes", {}):
            engine.prepare(SAMPLE_REQUESTS[Task.parse(task_name)]())
        for generator_id in raw.get("generators", {}):
            assert not engine.registry.get(generator_id).loaded, "options check loads no model"
        if engine.settings.bandit:
            assert engine.bandit.arms, "an enabled bandit has arms to route over"


def check_pyproject_block(block: Block, directory: Path) -> None:
    """Install a pyproject block's entry points as metadata; contentgen's loader must load them."""
    raw = tomllib.loads(block.code)
    groups = raw["project"]["entry-points"]
    assert set(groups) == {ENTRY_POINT_GROUP}, f"plugins register in [{ENTRY_POINT_GROUP}]"
    dist = directory / "readme_example-0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: readme-example\nVersion: 0.0\n", encoding="utf-8"
    )
    lines = [f"{name} = {target}" for name, target in groups[ENTRY_POINT_GROUP].items()]
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    importlib.invalidate_caches()
    plugins = load_plugins()
    for name in groups[ENTRY_POINT_GROUP]:
        info = plugins.infos[name]
        assert info.version == "0.0", f"plugin {name!r} did not come from the entry point"
        assert info.error is None, info.error
        assert info.generators, f"plugin {name!r} registered no generator"


@pytest.mark.parametrize("block", TOML, ids=[b.id for b in TOML])
def test_toml_block_is_valid(block: Block, workdir: Path) -> None:
    if block.skip:
        pytest.skip(f"README marks it: {block.skip}")
    raw = tomllib.loads(block.code)
    namespace: dict[str, Any] = {"__name__": "readme", **NAMESPACE}
    try:
        for earlier in _earlier(block):
            run_python(earlier, workdir, namespace)
        if _is_pyproject(raw):
            check_pyproject_block(block, workdir)
        else:
            check_settings_block(block, workdir)
    finally:
        _close_engines(namespace)


@pytest.mark.parametrize("block", JINJA, ids=[b.id for b in JINJA])
def test_template_block_renders(block: Block, workdir: Path) -> None:
    if block.skip:
        pytest.skip(f"README marks it: {block.skip}")
    folder = workdir / "my_templates"
    (folder / TEMPLATE_AS).parent.mkdir(parents=True)
    (folder / TEMPLATE_AS).write_text(block.code, encoding="utf-8")
    template_id = TEMPLATE_AS.removesuffix(".j2")
    product = {"name": "Trail Runner X", "price_eur": "89.99"}
    with Engine.from_config(template_dirs=(folder,)) as engine:
        work = engine.prepare(
            MarketingRequest(product=product, channel="search_ad", template=template_id)
        )
    assert work.rendered is not None and "Trail Runner X" in work.rendered.text


def test_every_block_is_run_or_its_language_is_listed() -> None:
    assert PYTHON and TOML, "README.md has no Python or TOML blocks: did the parsing break?"
    unlisted = {
        b.id: b.language for b in BLOCKS if b.language not in EXECUTED | NOT_EXECUTED.keys()
    }
    assert not unlisted, f"fenced blocks neither run nor listed in NOT_EXECUTED: {unlisted}"


def test_a_skip_mark_before_a_block_is_read_with_its_reason() -> None:
    markdown = (
        "# Setup\n\n<!-- readme-test: skip (needs a GPU) -->\n```python\nimport cuda\n```\n\n"
        "```python\nprint(1)\n```\n"
    )
    marked, plain = readme_blocks(markdown)
    assert (marked.id, marked.skip, marked.code) == ("setup-L4", "needs a GPU", "import cuda\n")
    assert (plain.id, plain.skip) == ("setup-L8", None)


def test_every_substitution_is_still_needed() -> None:
    stale = [value for value in SUBSTITUTIONS if not any(value in b.code for b in TOML)]
    assert not stale, f"SUBSTITUTIONS for values the README no longer has: {stale}"
