"""The one error hierarchy of contentgen; every message names the problem and the valid choices."""

from __future__ import annotations

from collections.abc import Iterable


def _choices(values: Iterable[object]) -> str:
    listed = sorted(str(v) for v in values)
    return ", ".join(repr(v) for v in listed) if listed else "(none)"


class ContentgenError(Exception):
    """Base class of every error contentgen raises on purpose."""

    exit_code: int = 1


class ValidationError(ContentgenError, ValueError):
    """A request, rating, option or input row is invalid; raised before any heavy work."""

    exit_code = 2

    def __init__(self, field: str, problem: str, choices: Iterable[object] | None = None) -> None:
        self.field = field
        self.problem = problem
        self.choices = tuple(choices) if choices is not None else None
        message = f"{field}: {problem}"
        if self.choices is not None:
            message += f" (valid: {_choices(self.choices)})"
        super().__init__(message)


class ConfigError(ContentgenError):
    """contentgen.toml or a CONTENTGEN_* variable is malformed or names something unknown."""

    exit_code = 2


class UnknownNameError(ContentgenError, LookupError):
    """A generator, template, task, channel, output or job id does not exist."""

    exit_code = 3

    def __init__(self, kind: str, name: str, choices: Iterable[object] = ()) -> None:
        self.kind = kind
        self.name = name
        self.choices = tuple(choices)
        hint = f" (known: {_choices(self.choices)})" if self.choices else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")


class NoAcceptedOutputError(ContentgenError):
    """A command ran, but none of its outputs passed the checks (the rejected ones are stored)."""

    exit_code = 4

    def __init__(self, where: str, rejected: int, hint: str = "") -> None:
        self.where = where
        self.rejected = rejected
        message = f"no output was accepted for {where} ({rejected} rejected)"
        super().__init__(message + (f"; {hint}" if hint else ""))


class PluginError(ContentgenError):
    """A plugin failed to import or register, or two plugins claim the same id."""


class TemplateError(ContentgenError):
    """A template is malformed, misses a variable, or tried something the sandbox forbids."""

    exit_code = 2


class GeneratorError(ContentgenError):
    """A generator failed to load or to generate."""

    transient: bool = False


class TransientGeneratorError(GeneratorError):
    """A generator failure that may succeed when retried (timeouts, busy devices)."""

    transient = True


class ModelNotAvailableError(GeneratorError):
    """Model weights are not on this machine and cannot be fetched (offline or no hub)."""


class StorageError(ContentgenError):
    """The database or the artifact store refused an operation."""


class BatchError(ContentgenError):
    """A batch job could not start or continue (bad input file, mapping, unknown job)."""

    exit_code = 2


class TrainingError(ContentgenError):
    """Training diverged or cannot start; the last good checkpoint is kept."""


class DatasetNotAvailableError(ContentgenError):
    """A sample data set is not on this machine and could not be fetched from its package."""


class BiasFoundError(ContentgenError):
    """A bias audit found a significant difference (`contentgen audit bias --fail-on-bias`)."""

    exit_code = 5

    def __init__(self, flagged: Iterable[object]) -> None:
        self.flagged = tuple(flagged)
        names = [
            f"{getattr(e, 'generator', '?')} {getattr(e, 'attribute', '?')}/"
            f"{getattr(e, 'measure', '?')}"
            for e in self.flagged
        ]
        super().__init__(f"bias found: {len(names)} significant difference(s): {', '.join(names)}")
