"""Render budgets for the template sandbox: limits, the per-render counter, and size estimates.

Each check estimates what an operation would produce *before* it runs (so `'a' * 10**9` never
allocates) or measures what it produced (strings by length, containers by flattened size with
shared references counted every time they would be printed, so `[x, x]` doubling is caught).
Filters are also charged for what they are handed (`filter_work`), and the one filter whose cost
is quadratic in its input (`urlize`, in the length of a word) is refused by a cost model first.
These checks make most over-budget renders fail early and deterministically; the wall-clock bound
itself is enforced by the render worker (`render_pool.py`), since no check between operations can
interrupt one long C call.
"""

from __future__ import annotations

import contextvars
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import markupsafe
from jinja2.runtime import Namespace
from jinja2.sandbox import SecurityError


class RenderLimitError(SecurityError):
    """A template went over one of its render budgets."""


@dataclass(frozen=True)
class RenderLimits:
    """Budgets for one render; real prompt templates stay far below every cap."""

    max_seconds: float = 2.0  # CPU s of a render (wall where the OS cannot say); kill at 1.5x
    max_output_chars: int = 400_000  # the rendered prompt
    max_value_size: int = 400_000  # any one string, or container by flattened size
    max_total_chars: int = 4_000_000  # everything produced during one render, garbage included
    max_filter_work: int = 8_000_000  # characters handed to filters, weighted by cost (FILTER_WORK)
    # urlize's trailing-punctuation regex is quadratic in a word's length (20,000 ')' took 7 s):
    # the sum of squared word lengths is its cost. 10M is ~0.2 s on a 2021 server core; a
    # 100,000-character article of ordinary words and URLs costs about 1M.
    max_urlize_work: int = 10_000_000
    max_nesting: int = 32  # containers inside containers
    max_ops: int = 100_000  # attribute lookups, calls, filters, operators, loop iterations
    max_depth: int = 40  # nested calls: macros, recursive loops, caller()
    max_range: int = 10_000  # range(), batch(), slice() counts
    max_int_bits: int = 4_096  # results of ** and integer *


class Budget:
    """The counters of one render: operations, call depth, characters produced, deadline."""

    __slots__ = ("deadline", "depth", "limits", "ops", "produced", "work")

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        # CPU time, not wall time: a render starved by other jobs is not a hostile template
        self.deadline = time.process_time() + limits.max_seconds
        self.ops = 0
        self.depth = 0
        self.produced = 0
        self.work = 0

    def check_time(self) -> None:
        """Raise when the render is past its deadline."""
        if time.process_time() > self.deadline:
            raise RenderLimitError(f"render took longer than {self.limits.max_seconds:g} s")

    def tick(self) -> None:
        """Count one operation; raise when over the operation budget or past the deadline."""
        self.ops += 1
        if self.ops > self.limits.max_ops:
            raise RenderLimitError(f"more than {self.limits.max_ops} operations (loops too long?)")
        self.check_time()

    def produce(self, size: int) -> None:
        """Count characters produced; raise when the render has produced too much in all."""
        self.produced += size
        if self.produced > self.limits.max_total_chars:
            raise RenderLimitError(
                f"produced more than {self.limits.max_total_chars} characters in all "
                "(a loop building text?)"
            )
        self.check_time()

    def charge(self, work: int, what: str) -> None:
        """Count the (weighted) characters a filter is handed; raise when over the work budget."""
        self.work += work
        if self.work > self.limits.max_filter_work:
            raise RenderLimitError(
                f"filters were handed more than {self.limits.max_filter_work} characters of work "
                f"in all (last: {what}; a loop over a large text?)"
            )


ACTIVE: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "render_budget", default=None
)


def tick() -> None:
    """Tick the active render's budget, if a render is active (compile-time folding has none)."""
    budget = ACTIVE.get()
    if budget is not None:
        budget.tick()


_PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
_SPEC_NUMBER = re.compile(r"\d+")


def flat_size(
    value: Any, limits: RenderLimits, memo: dict[int, int] | None = None, depth: int = 0
) -> int:
    """Characters plus items as if `value` were printed; stops counting past the value cap."""
    if isinstance(value, str | bytes):
        return len(value) + 1
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() // 3 + 1
    if isinstance(value, Namespace):
        value = value._Namespace__attrs  # type: ignore[attr-defined]
    if not isinstance(value, list | tuple | set | frozenset | Mapping):
        return 1
    if depth >= limits.max_nesting:
        raise RenderLimitError(f"values nested deeper than {limits.max_nesting} levels")
    memo = {} if memo is None else memo
    key = id(value)
    if key in memo:
        return memo[key]
    items: Iterable[Any] = (
        [x for kv in value.items() for x in kv] if isinstance(value, Mapping) else value
    )
    total = 1
    for item in items:
        total += flat_size(item, limits, memo, depth + 1)
        if total > limits.max_value_size:
            break
    memo[key] = total
    return total


def expect(limits: RenderLimits, size: int, what: str) -> None:
    """Raise when an operation would produce more than the value cap."""
    if size > limits.max_value_size:
        raise RenderLimitError(
            f"{what} would produce {size} characters; the cap is {limits.max_value_size}"
        )


def check_mul(limits: RenderLimits, left: Any, right: Any) -> None:
    """`*`: sequence repetition by result size, integer products by bit length."""
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | bytes) and isinstance(count, int):
            expect(limits, len(seq) * count, "'*'")
        elif isinstance(seq, list | tuple) and isinstance(count, int) and count > 0:
            expect(limits, flat_size(seq, limits) * count, "'*'")
    if isinstance(left, int) and isinstance(right, int):
        bits = left.bit_length() + right.bit_length()
        if bits > limits.max_int_bits:
            raise RenderLimitError(
                f"a product of {bits} bits; integers are capped at {limits.max_int_bits} bits"
            )


def check_pow(limits: RenderLimits, base: Any, exponent: Any) -> None:
    """`**`: integer powers by the bit length of the result."""
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        bits = int(math.log2(abs(base)) * exponent)
        if exponent > limits.max_int_bits or bits > limits.max_int_bits:
            raise RenderLimitError(
                f"'**' would make an integer of ~{bits} bits; the cap is {limits.max_int_bits}"
            )


def check_printf(limits: RenderLimits, fmt: str) -> None:
    """`%` formatting: the sum of all widths and precisions counts against the value cap."""
    total = len(fmt)
    for width, precision in _PRINTF_SPEC.findall(fmt):
        if "*" in (width, precision):
            raise RenderLimitError("'*' widths in % formatting are not allowed in templates")
        total += int(width or 0) + int(precision or 0)
    expect(limits, total, "% formatting")


def spec_width(format_spec: str) -> int:
    """The characters a str.format field spec like '>{w}' or '.3f' may pad to."""
    return sum(int(n) for n in _SPEC_NUMBER.findall(format_spec))


def replace_size(text: str, old: Any, new: Any) -> int:
    """Length of `text.replace(old, new)` without computing it."""
    if not isinstance(old, str) or not isinstance(new, str):
        return len(text)
    hits = len(text) + 1 if old == "" else text.count(old)
    return len(text) + hits * max(0, len(new) - len(old))


def check_str_method(
    limits: RenderLimits, text: str, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> None:
    """Pre-check the str methods whose result can be far larger than their inputs."""
    if name in ("center", "ljust", "rjust", "zfill") and args and isinstance(args[0], int):
        expect(limits, max(len(text), args[0]), f"str.{name}")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int):
            expect(limits, len(text) + text.count("\t") * size, "str.expandtabs")
    elif name == "replace" and len(args) >= 2:
        expect(limits, replace_size(text, args[0], args[1]), "str.replace")
    elif name == "join" and args:
        items = args[0] if isinstance(args[0], list | tuple | str) else list(args[0])
        size = sum(len(i) if isinstance(i, str) else 1 for i in items)
        expect(limits, size + len(text) * max(0, len(items) - 1), "str.join")


def _width(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    return value if isinstance(value, int) else 0


def _arg(args: list[Any], kwargs: Mapping[str, Any], index: int, name: str, default: Any) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


FilterCheck = Callable[[RenderLimits, list[Any], Mapping[str, Any]], "list[Any] | None"]


def _center(limits: RenderLimits, args: list[Any], kwargs: Mapping[str, Any]) -> None:
    expect(limits, max(len(str(args[0])), _width(_arg(args, kwargs, 1, "width", 80))), "center")


def _indent(limits: RenderLimits, args: list[Any], kwargs: Mapping[str, Any]) -> None:
    text = str(args[0])
    expect(
        limits,
        len(text) + (text.count("\n") + 1) * _width(_arg(args, kwargs, 1, "width", 4)),
        "indent",
    )


def _wordwrap(limits: RenderLimits, args: list[Any], kwargs: Mapping[str, Any]) -> None:
    text = str(args[0])
    width = max(1, _width(_arg(args, kwargs, 1, "width", 79)))
    wrap = str(_arg(args, kwargs, 3, "wrapstring", None) or "\n")
    expect(limits, len(text) + (len(text) // width + text.count("\n") + 1) * len(wrap), "wordwrap")


def _replace(limits: RenderLimits, args: list[Any], kwargs: Mapping[str, Any]) -> None:
    if len(args) >= 3:
        expect(limits, replace_size(str(args[0]), args[1], args[2]), "replace")


def _join(limits: RenderLimits, args: list[Any], kwargs: Mapping[str, Any]) -> list[Any]:
    items = list(args[0])  # consumed here, so the filter gets the list back
    sep = str(_arg(args, kwargs, 1, "d", ""))
    size = sum(flat_size(i, limits) for i in items)
    expect(limits, size + len(sep) * max(0, len(items) - 1), "join")
    return [items, *args[1:]]


def _format(limits: RenderLimits, args: list[Any], kwargs: Mapping[str, Any]) -> None:
    check_printf(limits, str(args[0]))


def _count(name: str, index: int, param: str) -> FilterCheck:
    def check(limits: RenderLimits, args: list[Any], kwargs: Mapping[str, Any]) -> None:
        count = _arg(args, kwargs, index, param, 0)
        if isinstance(count, int) and count > limits.max_range:
            raise RenderLimitError(f"{name}({count}) is over the cap of {limits.max_range}")

    return check


def _sum(limits: RenderLimits, args: list[Any], kwargs: Mapping[str, Any]) -> None:
    # Summing lists is quadratic (each + copies); templates only need numbers.
    if not isinstance(_arg(args, kwargs, 2, "start", 0), int | float):
        raise RenderLimitError("the sum filter adds numbers only")


def _short(*params: tuple[int, str]) -> FilterCheck:
    def check(limits: RenderLimits, args: list[Any], kwargs: Mapping[str, Any]) -> None:
        for index, param in params:
            if _width(_arg(args, kwargs, index, param, None)) > 64:
                raise RenderLimitError(f"the {param!r} argument is capped at 64")

    return check


_URLIZE_SHORT_ARGS = ((3, "target"), (4, "rel"))


def _urlize(limits: RenderLimits, args: list[Any], kwargs: Mapping[str, Any]) -> None:
    _short(*_URLIZE_SHORT_ARGS)(limits, args, kwargs)
    schemes = _arg(args, kwargs, 5, "extra_schemes", None)
    if schemes is not None and not (isinstance(schemes, list | tuple) and len(schemes) <= 16):
        raise RenderLimitError("urlize's extra_schemes must be a list of at most 16 schemes")
    work = sum(len(word) ** 2 for word in str(markupsafe.escape(args[0])).split())
    if work > limits.max_urlize_work:
        raise RenderLimitError(
            f"urlize is quadratic in the length of a word; these words would cost {work} "
            f"(sum of squared lengths), the cap is {limits.max_urlize_work}"
        )


# How much each character handed to a filter costs, relative to a plain string copy (measured
# on CPython 3.11: textwrap and pprint walk their input in Python code, not C).
FILTER_WORK: Mapping[str, int] = {"wordwrap": 8, "pprint": 4, "urlize": 2, "xmlattr": 2}
# Filters whose cost does not grow with their input are neither capped nor charged; of the tests
# only these walk their input.
CONSTANT_TIME_FILTERS = frozenset(
    {"length", "count", "default", "d", "first", "last", "attr", "random", "abs", "round"}
)
LINEAR_TESTS = frozenset({"in", "lower", "upper"})


def input_size(value: Any, limits: RenderLimits) -> int:
    """Characters of a string, flattened size of a container (capped), 0 for anything else."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, list | tuple | set | frozenset | Mapping):
        return flat_size(value, limits)
    return 0


def check_inputs(
    limits: RenderLimits, what: str, name: str, args: Iterable[Any], kwargs: Mapping[str, Any]
) -> int:
    """Refuse an argument over the value cap (request data included); return the call's work."""
    charged = name not in CONSTANT_TIME_FILTERS if what == "filter" else name in LINEAR_TESTS
    if not charged:
        return 0
    sizes = [input_size(a, limits) for a in args] + [input_size(v, limits) for v in kwargs.values()]
    largest = max(sizes, default=0)
    if largest > limits.max_value_size:
        raise RenderLimitError(
            f"the {name!r} {what} was handed {largest}+ characters/items; "
            f"the cap is {limits.max_value_size}"
        )
    return sum(sizes) * FILTER_WORK.get(name, 1)


FILTER_CHECKS: Mapping[str, FilterCheck] = {
    "center": _center,
    "indent": _indent,
    "wordwrap": _wordwrap,
    "replace": _replace,
    "join": _join,
    "format": _format,
    "batch": _count("batch", 1, "linecount"),
    "slice": _count("slice", 1, "slices"),
    "sum": _sum,
    "urlize": _urlize,
    "tojson": _short((1, "indent")),
    "truncate": _short((3, "end")),
}
