"""How stored outputs record bandit routing: the params key naming the arm, the no-channel context.

Storage groups ratings by these and the bandit (`feedback.arms`) writes them, so they live below
both; the module imports no SQLAlchemy, so the bandit's start-up stays cheap.
"""

from __future__ import annotations

ARM_PARAM = "bandit_arm"  # the params key that records the chosen arm in an output's provenance
# The params key that records the chosen arm's Beta posterior {alpha, beta} when it was chosen.
POSTERIOR_PARAM = "bandit_posterior"
ANY_CONTEXT = "*"  # the bandit context of requests without a channel


def context_of(channel: str | None) -> str:
    """The bandit context key of an output: its channel, or '*' for tasks without channels."""
    return channel or ANY_CONTEXT
