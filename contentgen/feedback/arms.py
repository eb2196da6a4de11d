"""Bandit arms: parsed from contentgen.toml with the settings, and the defaults from templates."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from contentgen.bandit_config import BanditArm as BanditArm  # re-exported for the bandit
from contentgen.bandit_config import parse_arm as parse_arm
from contentgen.bandit_config import parse_bandit as parse_bandit
from contentgen.storage.arm_keys import ANY_CONTEXT as ANY_CONTEXT
from contentgen.storage.arm_keys import ARM_PARAM as ARM_PARAM

if TYPE_CHECKING:
    from contentgen.templates import TemplateLibrary


def default_arms(
    templates: TemplateLibrary, tasks: Collection[str] | None = None
) -> tuple[BanditArm, ...]:
    """The arms of a bandit enabled without `[[bandit.arms]]`: one per template with a channel.

    Every template that declares its channel (built-in, plugin or from `template_dirs`; today
    the marketing ones) competes with the others of its task and channel. Templates without one
    get none: a news request's style and a customer-service route's template are the user's
    choice, not an experiment. `tasks` limits the arms to the tasks an engine serves.
    """
    return tuple(
        BanditArm(task=info.task, name=info.name, template=info.id, channel=info.channel)
        for info in templates.list()
        if info.channel and (tasks is None or info.task in tasks)
    )
