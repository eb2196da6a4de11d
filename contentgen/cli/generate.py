"""`contentgen generate ...`: one request from the command line, printed as text or JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from contentgen.cli._common import engine_from, parse_pairs
from contentgen.errors import NoAcceptedOutputError, ValidationError
from contentgen.types import (
    SUMMARY_METHODS,
    SUMMARY_STYLES,
    TONES,
    CustomerServiceRequest,
    ImageRequest,
    MarketingRequest,
    NewsSummaryRequest,
    Output,
    Result,
)

ROUTING = [
    click.option(
        "--generator", help="Generator id, e.g. builtin:transformers (see `contentgen generators`)."
    ),
    click.option(
        "--template", help="Template id, e.g. marketing/search_ad (see `contentgen templates`)."
    ),
    click.option("--seed", type=int, help="Seed for reproducible output."),
    click.option(
        "--param",
        "params",
        multiple=True,
        metavar="KEY=VALUE",
        help=(
            "Sampling parameter (repeat), e.g. temperature=0.7 or stop='[\"###\"]': "
            "temperature, top_p, top_k, max_new_tokens, stop, best_of, bandit_arm, or one the "
            "generator declares."
        ),
    ),
    click.option("--json", "as_json", is_flag=True, help="Print the result as JSON."),
]


def routing_options(function: Any) -> Any:
    """Add the options every generate subcommand shares."""
    for option in reversed(ROUTING):
        function = option(function)
    return function


def _common(
    generator: str | None, template: str | None, seed: int | None, params: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "generator": generator,
        "template": template,
        "seed": seed,
        "params": parse_pairs(params, "--param", typed=True),
    }


def _print(result: Result, as_json: bool) -> None:
    """Print the result; when nothing was accepted, fail with exit code 4 after printing why."""
    _show(result, as_json)
    if not result.outputs:
        raise NoAcceptedOutputError(
            f"request {result.request_id}",
            len(result.rejected),
            "the reasons are listed above; `contentgen show ID` shows a rejected output",
        )


def _show(result: Result, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(_jsonable(result), indent=2, ensure_ascii=False))
        return
    for output in result.outputs:
        p = output.provenance
        click.secho(
            f"[{output.id}] {p.generator_id} · {p.template_id or '-'} · seed {p.seed}", fg="cyan"
        )
        if output.image_path:
            click.echo(f"  image: {output.image_path} ({_image_facts(output.fields)})")
        else:
            click.echo(output.text or "")
        click.echo()
    for output in result.rejected:
        click.secho(f"[{output.id}] rejected: {output.reason}", fg="yellow")
    for note in result.notes:
        click.secho(f"note: {note}", fg="red")
    click.echo(
        f"{len(result.outputs)} output(s), {len(result.rejected)} rejected; request {result.request_id}"
    )


def _image_facts(fields: Mapping[str, str]) -> str:
    """What a user needs to know about one image: its class, how it was chosen, its real size."""
    facts = []
    if "class_name" in fields:
        how = fields.get("mapped_by", "?")
        similarity = f", similarity {fields['similarity']}" if "similarity" in fields else ""
        facts.append(f"class {fields['class_name']}, chosen by {how}{similarity}")
    if "width" in fields and "height" in fields:
        size = f"{fields['width']}x{fields['height']}"
        if "resized_from" in fields:
            size += f" resized from {fields['resized_from']} ({fields.get('resample', '?')})"
        facts.append(size)
    if fields.get("flagged") == "True":
        facts.append("flagged by the safety checker")
    return "; ".join(facts) or "image"


def _openable_paths(result: Result, locate: Callable[[str], Path]) -> Result:
    """The result with absolute image paths: stored ones are relative to the artifact store."""

    def located(outputs: tuple[Output, ...]) -> tuple[Output, ...]:
        return tuple(
            dataclasses.replace(o, image_path=str(locate(o.image_path))) if o.image_path else o
            for o in outputs
        )

    return dataclasses.replace(
        result, outputs=located(result.outputs), rejected=located(result.rejected)
    )


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@click.group()
def generate() -> None:
    """Generate marketing copy, news summaries, customer-service replies or images."""


@generate.command("marketing")
@click.option(
    "--product",
    "product_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="A product fact (repeat).",
)
@click.option("--product-json", help="All product facts as a JSON object.")
@click.option(
    "--channel",
    default="search_ad",
    show_default=True,
    help="search_ad, social_post, email, sms, push, product_description.",
)
@click.option("--audience", help="Who the copy is for.")
@click.option("--tone", default="friendly", show_default=True, type=click.Choice(TONES))
@click.option("--variants", default=3, show_default=True, type=int)
@routing_options
@click.pass_context
def marketing(
    ctx: click.Context,
    product_pairs: tuple[str, ...],
    product_json: str | None,
    channel: str,
    audience: str | None,
    tone: str,
    variants: int,
    generator: str | None,
    template: str | None,
    seed: int | None,
    params: tuple[str, ...],
    as_json: bool,
) -> None:
    """Ad copy, social posts, emails, SMS, push notifications or product descriptions."""
    product: dict[str, Any] = {}
    if product_json:
        try:
            product = dict(json.loads(product_json))
        except (ValueError, TypeError):
            raise ValidationError(
                "--product-json", 'must be a JSON object like {"name": "..."}'
            ) from None
    product.update(parse_pairs(product_pairs, "--product"))
    request = MarketingRequest(
        product=product,
        channel=channel,
        audience=audience,
        tone=tone,
        variants=variants,
        **_common(generator, template, seed, params),
    )
    _print(engine_from(ctx).generate(request), as_json)


@generate.command("news-summary")
@click.option("--article", help="The article text.")
@click.option(
    "--article-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the article from a file.",
)
@click.option("--title", help="The article's headline.")
@click.option("--style", default="brief", show_default=True, type=click.Choice(SUMMARY_STYLES))
@click.option("--target-words", default=40, show_default=True, type=int)
@click.option("--method", default="auto", show_default=True, type=click.Choice(SUMMARY_METHODS))
@routing_options
@click.pass_context
def news_summary(
    ctx: click.Context,
    article: str | None,
    article_file: Path | None,
    title: str | None,
    style: str,
    target_words: int,
    method: str,
    generator: str | None,
    template: str | None,
    seed: int | None,
    params: tuple[str, ...],
    as_json: bool,
) -> None:
    """Summarise a news article (abstractive, extractive, or auto with extractive fallback)."""
    if article_file is not None:
        try:
            article = article_file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                "--article-file",
                f"{article_file} is not UTF-8 text (byte {exc.start}); save it as UTF-8",
            ) from None
    if not article:
        raise ValidationError("--article", "give the article text or --article-file")
    request = NewsSummaryRequest(
        article=article,
        title=title,
        style=style,
        target_words=target_words,
        method=method,
        **_common(generator, template, seed, params),
    )
    _print(engine_from(ctx).generate(request), as_json)


@generate.command("customer-service")
@click.option("--message", required=True, help="The customer's message.")
@click.option(
    "--context",
    "context_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="An order/account fact (repeat).",
)
@click.option("--policy", help="Policy notes the reply must follow.")
@click.option("--tone", default="empathetic", show_default=True, type=click.Choice(TONES))
@click.option("--variants", default=1, show_default=True, type=int)
@routing_options
@click.pass_context
def customer_service(
    ctx: click.Context,
    message: str,
    context_pairs: tuple[str, ...],
    policy: str | None,
    tone: str,
    variants: int,
    generator: str | None,
    template: str | None,
    seed: int | None,
    params: tuple[str, ...],
    as_json: bool,
) -> None:
    """Draft a reply to a customer message, grounded in order facts and policy."""
    request = CustomerServiceRequest(
        message=message,
        context=parse_pairs(context_pairs, "--context"),
        policy=policy,
        tone=tone,
        variants=variants,
        **_common(generator, template, seed, params),
    )
    _print(engine_from(ctx).generate(request), as_json)


@generate.command("image")
@click.argument("prompt", required=False)
@click.option("--class-name", help="Ask for a class directly (e.g. sneaker).")
@click.option(
    "--nearest-class",
    is_flag=True,
    help="If the prompt names none of the model's classes, use the most similar one "
    "(recorded with its similarity) instead of refusing.",
)
@click.option("--count", default=4, show_default=True, type=int)
@click.option("--negative-prompt")
@click.option("--width", type=int)
@click.option("--height", type=int)
@click.option("--steps", type=int)
@click.option("--guidance", type=float)
@click.option(
    "--contact-sheet",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a contact-sheet PNG.",
)
@routing_options
@click.pass_context
def image(
    ctx: click.Context,
    prompt: str | None,
    class_name: str | None,
    nearest_class: bool,
    count: int,
    negative_prompt: str | None,
    width: int | None,
    height: int | None,
    steps: int | None,
    guidance: float | None,
    contact_sheet: Path | None,
    generator: str | None,
    template: str | None,
    seed: int | None,
    params: tuple[str, ...],
    as_json: bool,
) -> None:
    """Images from a prompt or a class name (default: the shipped class-conditional GAN)."""
    engine = engine_from(ctx)
    request = ImageRequest(
        prompt=prompt,
        class_name=class_name,
        match="nearest" if nearest_class else "strict",
        count=count,
        negative_prompt=negative_prompt,
        width=width,
        height=height,
        steps=steps,
        guidance=guidance,
        **_common(generator, template, seed, params),
    )
    result = _openable_paths(engine.generate(request), engine.store.artifacts.path)
    _print(result, as_json)
    if contact_sheet is not None and result.outputs:
        from contentgen.images import contact_sheet as make_sheet

        pngs = [Path(o.image_path).read_bytes() for o in result.outputs if o.image_path]
        contact_sheet.write_bytes(make_sheet(pngs))
        click.echo(f"contact sheet: {contact_sheet}")
