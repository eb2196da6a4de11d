"""The image task: images from a prompt or a class name, checked against what the model draws."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from contentgen.config import Route
from contentgen.errors import ValidationError
from contentgen.tasks.spec import CliOption, TaskSpec
from contentgen.types import MAX_IMAGES, BaseRequest, Result, Task, require_int, require_text

NAME = Task.IMAGE
# Request fields a generator receives as parameters (Prompt.params) when they are set.
PARAM_FIELDS = ("negative_prompt", "width", "height", "steps", "guidance")


@dataclass(frozen=True, kw_only=True)
class ImageRequest(BaseRequest):
    """Images from a prompt or a class name.

    For generators with a fixed class list, `match="strict"` (the default) refuses a prompt
    naming none of the classes; `match="nearest"` takes the most similar class and records it.
    """

    task: ClassVar[Task] = NAME
    prompt: str | None = field(default=None, metadata={"cli": "argument"})
    class_name: str | None = field(
        default=None, metadata={"help": "Ask for a class directly (e.g. sneaker)."}
    )
    match: str = field(
        default="strict",
        metadata={
            "cli": "--nearest-class",
            "flag": "nearest",
            "help": "If the prompt names none of the model's classes, use the most similar one "
            "(recorded with its similarity) instead of refusing.",
        },
    )
    count: int = field(default=4, metadata={"help": "How many images to draw."})
    negative_prompt: str | None = None
    width: int | None = None
    height: int | None = None
    steps: int | None = None
    guidance: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.prompt is None and self.class_name is None:
            raise ValidationError("prompt", "give a prompt or a class_name")
        if self.prompt is not None:
            require_text(self.prompt, "prompt", max_chars=2_000)
        if self.class_name is not None:
            require_text(self.class_name, "class_name", max_chars=200)
        from contentgen.image_classes import check_match_mode

        check_match_mode(self.match)
        if self.negative_prompt is not None and not isinstance(self.negative_prompt, str):
            kind = type(self.negative_prompt).__name__
            raise ValidationError("negative_prompt", f"must be text, got {kind}")
        require_int(self.count, "count", 1, MAX_IMAGES)
        for name in ("width", "height"):
            value = getattr(self, name)
            if value is not None:
                require_int(value, name, 8, 4096)
        if self.steps is not None:
            require_int(self.steps, "steps", 1, 1000)
        if self.guidance is not None and (
            not isinstance(self.guidance, int | float) or not 0 <= self.guidance <= 50
        ):
            raise ValidationError(
                "guidance", f"must be a number from 0 to 50, got {self.guidance!r}"
            )

    @property
    def n(self) -> int:
        """How many images the request asks for."""
        return self.count

    def variables(self) -> dict[str, Any]:
        """Template variables: the prompt, class name and class match mode."""
        return {
            "prompt": self.prompt or self.class_name or "",
            "class_name": self.class_name or "",
            "match": self.match,
        }


def check_drawable(request: ImageRequest, plan: Any, registry: Any) -> Any:
    """Pass the image fields to the generator, checked against what it and its fallback draw."""
    from contentgen.image_support import check_image_route

    params = dict(plan.params)
    params.update({n: getattr(request, n) for n in PARAM_FIELDS if getattr(request, n) is not None})
    fallback, real_size = check_image_route(
        request, params, registry, plan.generator_id, plan.fallback_id
    )
    params.update(real_size)
    return dataclasses.replace(plan, params=params, fallback_id=fallback)


def write_contact_sheet(path: Path, result: Result) -> str | None:
    """--contact-sheet: every accepted image on one PNG."""
    if not result.outputs:
        return None
    from contentgen.images import contact_sheet

    pngs = [Path(o.image_path).read_bytes() for o in result.outputs if o.image_path]
    path.write_bytes(contact_sheet(pngs))
    return f"contact sheet: {path}"


SPEC = TaskSpec(
    name=NAME,
    request_type=ImageRequest,
    description="Images from a prompt or a class name (default: the shipped class-conditional GAN).",
    default_route=Route("builtin:gan", fallback="builtin:vae"),
    example={"class_name": "sneaker", "count": 1},
    modality="image",
    plan_check=check_drawable,
    cli_extras=(
        CliOption(
            "--contact-sheet",
            "Also write a contact-sheet PNG.",
            kind="output_file",
            after=write_contact_sheet,
        ),
    ),
)
