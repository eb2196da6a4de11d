"""A Jinja sandbox with budgets: a hostile template cannot escape, hang a batch or exhaust memory.

`LimitedSandbox` extends jinja2's ImmutableSandboxedEnvironment (no `_`-attributes, no mutation
of passed-in data) with: no mutating methods through a type (`dict.update(data, ...)`), no
`str.translate`; capped `range`, `lipsum`, `*`, `**`, `+`, `%` and format widths; a size check on
every value a call, filter, operator, literal or `{{ }}` produces (see `budget.py`); every filter
and test guarded (inputs capped and charged, the deadline checked before and after the call); an
operation budget ticked on every attribute lookup, call, filter and loop iteration with a
wall-clock deadline; a call-depth cap; and a checked `concat` for captured blocks.
`render_limited` streams the output with a length cap. Over-limit templates raise
`RenderLimitError` (a SecurityError). These checks run *between* operations; the hard time bound
comes from rendering in a worker process that is killed at its deadline (`render_pool.py`).
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter, _mutable_spec
from jinja2.utils import _PassArg
from jinja2.visitor import NodeTransformer
from markupsafe import EscapeFormatter, Markup

from contentgen.safety.budget import (
    ACTIVE,
    FILTER_CHECKS,
    Budget,
    RenderLimitError,
    RenderLimits,
    check_inputs,
    check_mul,
    check_pow,
    check_printf,
    check_str_method,
    expect,
    flat_size,
    spec_width,
    tick,
)

__all__ = ["LimitedSandbox", "RenderLimitError", "RenderLimits", "render_limited"]

_BLOCKED_STR_METHODS = frozenset({"translate", "maketrans"})
_SIZE = "_contentgen_size"
_ITER = "_contentgen_iter"


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """ImmutableSandboxedEnvironment plus time, size, depth and operation budgets."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, limits: RenderLimits | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits or RenderLimits()
        self.globals["range"] = self._range
        self.globals["lipsum"] = self._lipsum
        self.filters = {name: self.guard_filter(name, f) for name, f in self.filters.items()}
        tests = cast(dict[str, Callable[..., Any]], self.tests)  # typed as bare `function`
        self.tests = {name: self.guard_filter(name, f, "test") for name, f in tests.items()}
        # Hooks the compile-time rewrite inserts; filters compile to direct calls (cheap).
        self.filters[_SIZE] = self.check_size
        self.filters[_ITER] = self.budget_iter

    def check_size(self, value: Any) -> Any:
        """Return `value` unchanged; raise when it is too large or too deeply nested."""
        size = flat_size(value, self.limits)
        if size > self.limits.max_value_size:
            raise RenderLimitError(
                f"a value of {size}+ characters/items exceeds the cap of "
                f"{self.limits.max_value_size}"
            )
        budget = ACTIVE.get()
        if budget is not None:
            budget.produce(size)
        return value

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > self.limits.max_range:
            raise RenderLimitError(
                f"range of {len(numbers)} items; the cap is {self.limits.max_range}"
            )
        return numbers

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
        if not (0 <= n <= 20 and 0 <= min <= max <= 200):
            raise RenderLimitError("lipsum is capped at n=20 paragraphs of max=200 words")
        from jinja2.utils import generate_lorem_ipsum

        return generate_lorem_ipsum(n=n, html=html, min=min, max=max)

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        """Size-check `*`, `**`, `+` and `%` before (or right after) computing them."""
        tick()
        if operator == "*":
            check_mul(self.limits, left, right)
        elif operator == "**":
            check_pow(self.limits, left, right)
        elif operator == "%" and isinstance(left, str):
            check_printf(self.limits, left)
        result = self.binop_table[operator](left, right)
        return self.check_size(result) if operator != "**" else result

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Also refuse str.translate and mutating methods reached through a type (dict.update)."""
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(obj, str) and attr in _BLOCKED_STR_METHODS:
            return False
        if isinstance(obj, type):
            if any(issubclass(obj, spec) and attr in unsafe for spec, unsafe in _mutable_spec):
                return False
            if issubclass(obj, str) and attr in _BLOCKED_STR_METHODS | {"format", "format_map"}:
                return False
        return True

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Sandboxed attribute lookup that counts against the operation budget."""
        tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Sandboxed subscription that counts against the operation budget."""
        tick()
        return super().getitem(obj, argument)

    def call(
        __self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any
    ) -> Any:  # noqa: N805
        """Call with depth/budget accounting; amplifying str methods pre-checked; result sized."""
        budget = ACTIVE.get()
        if budget is not None:
            budget.tick()
            budget.depth += 1
        try:
            if budget is not None and budget.depth > __self.limits.max_depth:
                raise RenderLimitError(
                    f"calls nested deeper than {__self.limits.max_depth} (recursive macro?)"
                )
            if isinstance(__obj, LoopContext) and args:
                args = (__self.budget_iter(args[0]), *args[1:])
            elif isinstance(__obj, types.BuiltinMethodType) and isinstance(__obj.__self__, str):
                check_str_method(__self.limits, __obj.__self__, __obj.__name__, args, kwargs)
            return __self.check_size(super().call(__context, __obj, *args, **kwargs))
        finally:
            if budget is not None:
                budget.depth -= 1

    def budget_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Iterate `iterable`, ticking the operation budget per item (wraps every for-loop)."""
        budget = ACTIVE.get()
        for item in iterable:
            if budget is not None:
                budget.tick()
            yield item

    def concat(self, parts: Iterable[str]) -> str:  # type: ignore[override]
        """Join captured output (macros, set/filter/call blocks) without exceeding the value cap."""
        collected: list[str] = []
        total = 0
        for part in parts:
            total += len(part)
            expect(self.limits, total, "a captured block")
            collected.append(part)
        return "".join(collected)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """str.format/format_map via a sandboxed formatter whose widths count against the cap."""
        if super().wrap_str_format(value) is None:
            return None
        f_self = value.__self__
        formatter: _LimitedFormatter = (
            _LimitedEscapeFormatter(self, escape=f_self.escape)
            if isinstance(f_self, Markup)
            else _LimitedFormatter(self)
        )
        is_format_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            tick()
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one mapping argument")
                mapping = args[0]
                return self.check_size(type(f_self)(formatter.vformat(f_self, (), mapping)))
            return self.check_size(type(f_self)(formatter.vformat(f_self, args, kwargs)))

        return functools.update_wrapper(wrapper, value)

    def guard_filter(
        self, name: str, func: Callable[..., Any], what: str = "filter"
    ) -> Callable[..., Any]:
        """Wrap a filter or test: cap and charge its inputs, pre-check amplifying arguments, check
        the deadline before and after the call and size-check the result."""
        skip = 1 if _PassArg.from_obj(func) is not None else 0
        check = FILTER_CHECKS.get(name) if what == "filter" else None

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            budget = ACTIVE.get()  # None while Jinja folds constants at compile time
            if budget is not None:
                budget.tick()
            work = check_inputs(self.limits, what, name, args[skip:], kwargs)
            if budget is not None and work:
                budget.charge(work, name)
            if check is not None:
                replaced = check(self.limits, list(args[skip:]), kwargs)
                if replaced is not None:
                    args = (*args[:skip], *replaced)
            result = func(*args, **kwargs)
            if budget is not None:
                budget.check_time()
            return self.check_size(result)

        return guarded

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = _BudgetRewriter().visit(super()._parse(source, name, filename))
        tree.set_environment(self)
        return tree


class _LimitedFormatter(SandboxedFormatter):
    def __init__(self, env: LimitedSandbox, **kwargs: Any) -> None:
        super().__init__(env, **kwargs)
        self._limited = env
        self._used = 0

    def vformat(self, format_string: str, args: Any, kwargs: Any) -> str:
        self._used = len(format_string)
        return super().vformat(format_string, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> Any:
        self._used += spec_width(format_spec)
        expect(self._limited.limits, self._used, "str.format")
        self._limited.check_size(value)
        return super().format_field(value, format_spec)


class _LimitedEscapeFormatter(_LimitedFormatter, EscapeFormatter):
    pass


class _BudgetRewriter(NodeTransformer):
    """Route loop iterables, `{{ }}` values, `~` and container literals through budget checks."""

    @staticmethod
    def _wrap(hook: str, node: nodes.Node) -> nodes.Filter:
        assert isinstance(node, nodes.Expr)
        return nodes.Filter(node, hook, [], [], None, None, lineno=node.lineno)

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = self._wrap(_ITER, node.iter)
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [
            n if isinstance(n, nodes.TemplateData) else self._wrap(_SIZE, n) for n in node.nodes
        ]
        return node

    def _visit_sized(self, node: nodes.Expr) -> nodes.Node:
        self.generic_visit(node)
        if isinstance(node, nodes.Tuple) and node.ctx != "load":
            return node
        return self._wrap(_SIZE, node)

    visit_Concat = _visit_sized
    visit_List = _visit_sized
    visit_Tuple = _visit_sized
    visit_Dict = _visit_sized


def render_limited(
    template: jinja2.Template,
    variables: Mapping[str, Any],
    limits: RenderLimits,
    budget: Budget | None = None,
) -> str:
    """Render by streaming; stop at the output cap or the deadline with RenderLimitError.

    Pass `budget` to make several renders (a prompt, its system message, its examples) share
    one deadline and one set of counters.
    """
    budget = budget or Budget(limits)
    token = ACTIVE.set(budget)
    try:
        parts: list[str] = []
        total = 0
        for chunk in template.generate(**variables):
            total += len(chunk)
            if total > limits.max_output_chars:
                raise RenderLimitError(f"output longer than {limits.max_output_chars} characters")
            budget.tick()
            parts.append(chunk)
        return "".join(parts)
    finally:
        ACTIVE.reset(token)
