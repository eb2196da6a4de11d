"""The news_summary task: a summary of one article (abstractive, extractive, or auto)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from contentgen.config import Route
from contentgen.errors import ValidationError
from contentgen.tasks.spec import CliOption, RouteChoice, RowSpec, TaskSpec
from contentgen.types import (
    SUMMARY_METHODS,
    SUMMARY_STYLES,
    BaseRequest,
    Task,
    optional_choice,
    require_int,
    require_text,
)

NAME = Task.NEWS_SUMMARY
EXTRACTIVE = "builtin:extractive"


@dataclass(frozen=True, kw_only=True)
class NewsSummaryRequest(BaseRequest):
    """A summary of one news article."""

    task: ClassVar[Task] = NAME
    article: str = field(metadata={"help": "The article text."})
    title: str | None = field(default=None, metadata={"help": "The article's headline."})
    target_words: int = field(default=40, metadata={"help": "About how many words to write."})
    style: str = field(default="brief", metadata={"choices": SUMMARY_STYLES})
    method: str = field(
        default="auto",
        metadata={
            "choices": SUMMARY_METHODS,
            "help": "abstractive (a language model), extractive (sentences picked from the "
            "article), or auto (abstractive, extractive when the checks reject it).",
        },
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        require_text(self.article, "article")
        if self.title is not None:
            require_text(self.title, "title", max_chars=500)
        require_int(self.target_words, "target_words", 5, 400)
        optional_choice(self.style, "style", SUMMARY_STYLES)
        optional_choice(self.method, "method", SUMMARY_METHODS)

    def variables(self) -> dict[str, Any]:
        """Template variables: the article, its title, target length and style."""
        return {
            "article": self.article,
            "title": self.title or "",
            "target_words": self.target_words,
            "style": self.style,
        }


def _template(request: NewsSummaryRequest) -> str:
    return f"news_summary/{request.style}"


def choose_method(request: NewsSummaryRequest, choice: RouteChoice, registry: Any) -> RouteChoice:
    """The request's `method` picks the generator unless the request named one itself.

    extractive: the extractive summariser; auto: the routed generator, falling back to the
    extractive one when the checks reject its summary; abstractive: never the extractive one.
    """
    if choice.explicit:
        return choice
    if request.method == "extractive":
        return RouteChoice(EXTRACTIVE, None)
    if request.method == "auto" and choice.generator_id != EXTRACTIVE:
        return RouteChoice(choice.generator_id, EXTRACTIVE, check_fallback=True)
    if request.method == "abstractive" and choice.generator_id == EXTRACTIVE:
        raise ValidationError(
            "method",
            "abstractive summaries need a language-model generator, not the extractive one",
            [s.id for s in registry.for_task(request.task) if s.id != EXTRACTIVE],
        )
    return choice


def read_article(path: Path, fields: dict[str, Any]) -> None:
    """--article-file: the article from a UTF-8 text file."""
    try:
        fields["article"] = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "--article-file", f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None


SPEC = TaskSpec(
    name=NAME,
    request_type=NewsSummaryRequest,
    description=(
        "Summarise a news article (abstractive, extractive, or auto with extractive fallback)."
    ),
    default_route=Route(
        "builtin:transformers",
        params={"temperature": 0.0, "max_new_tokens": 96},
        fallback=EXTRACTIVE,
    ),
    example={"article": "The council met on Monday. It approved the budget for next year."},
    default_template=_template,
    fact_fields=("article", "title"),
    row_mapping=RowSpec(
        fields=("article", "title", "target_words", "style", "method"),
        required=("article",),
        long_fields=frozenset({"article"}),
    ),
    plan_hook=choose_method,
    cli_extras=(
        CliOption(
            "--article-file",
            "Read the article from a file.",
            kind="input_file",
            fills="article",
            before=read_article,
        ),
    ),
)
