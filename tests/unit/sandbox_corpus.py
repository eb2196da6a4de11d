# ruff: noqa: E501 - template sources read best on one line
"""Hostile-template corpus for the sandbox tests: escapes, bypasses, mutation, includes, bombs, XSS.

Each case is a template source rendered with DATA. `blocked=True` means a clean TemplateError is
the only acceptable outcome; otherwise the template must render and the output must contain every
`expect` string and none of the `forbid` strings. `{canary}` in a source is the path of a file no
case may create; `{self_id}` is the case's own template id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    """One hostile template and what a safe sandbox must do with it."""

    name: str
    source: str
    blocked: bool = True
    html: bool = False
    expect: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    group: str = "escape"
    data: dict[str, Any] = field(default_factory=dict)


def data() -> dict[str, Any]:
    """Fresh request data; several values are themselves hostile (second-order injection)."""
    return {
        "product": {
            "name": "Mug",
            "tags": ["blue", "ceramic"],
            "meta": {"color": "red", "sizes": [1, 2]},
            "template_text": "{{ 7*7 }}",
            "statement": "{% for x in range(10**9) %}x{% endfor %}",
            "ssti": "{{ lipsum.__globals__['os'].popen('id').read() }}",
            "fmt": "{0.__class__.__mro__}",
            "path": "../../../../etc/passwd",
            "xss": "<script>alert(1)</script>",
            "attr_xss": '"><img src=x onerror=alert(1)>',
            "js": "javascript:alert(document.cookie)",
            "evil_keys": {"onclick=alert(1) x": 1},
            "slash_key": {"a/>": 1},
        },
        "audience": "shoppers",
    }


# Output that shows any of these means Python internals leaked into a prompt.
LEAK_MARKERS = (
    "<class",
    "<module",
    "<function",
    "<built-in",
    "<bound method",
    "<frame",
    "<code object",
)

_POPEN = ".popen('touch {canary}').read()"

ESCAPES = [
    Case("str-mro-subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    Case("str-class", "{{ ''.__class__ }}"),
    Case("tuple-bases", "{{ ().__class__.__bases__[0].__subclasses__() }}"),
    Case("range-globals", "{{ range.__globals__ }}"),
    Case("range-self", "{{ range.__self__ }}"),
    Case("range-func-globals", "{{ range.__func__.__globals__['os']" + _POPEN + " }}"),
    Case("dict-subclasses", "{{ dict.__subclasses__() }}"),
    Case("dict-mro-call", "{{ dict.mro()[-1].__subclasses__() }}"),
    Case("lipsum-globals-popen", "{{ lipsum.__globals__['os']" + _POPEN + " }}"),
    Case("lipsum-func-globals", "{{ lipsum.__func__.__globals__ }}"),
    Case("lipsum-code", "{{ lipsum.__code__.co_consts }}"),
    Case("cycler-init-globals", "{{ cycler.__init__.__globals__.os" + _POPEN + " }}"),
    Case("joiner-init-globals", "{{ joiner.__init__.__globals__ }}"),
    Case("namespace-init-globals", "{{ namespace.__init__.__globals__ }}"),
    Case("namespace-instance", "{% set n = namespace() %}{{ n.__class__.__init__.__globals__ }}"),
    Case("self-init-globals", "{{ self.__init__.__globals__ }}"),
    Case("self-private-context", "{{ self._TemplateReference__context }}"),
    Case("self-dict", "{{ self.__dict__ }}"),
    Case("loop-class", "{% for x in [1] %}{{ loop.__class__.__init__.__globals__ }}{% endfor %}"),
    Case("loop-private-iterator", "{% for x in [1] %}{{ loop._iterator }}{% endfor %}"),
    Case("macro-globals", "{% macro m() %}{% endmacro %}{{ m.__call__.__globals__ }}"),
    Case("macro-private-func", "{% macro m() %}{% endmacro %}{{ m._func.__globals__ }}"),
    Case("data-class-base", "{{ product.__class__.__base__.__subclasses__() }}"),
    Case("data-method-self", "{{ product.items.__self__.__class__ }}"),
    Case("attr-filter-class", "{{ product|attr('__class__') }}"),
    Case("attr-filter-escaped-name", "{{ product|attr('\\x5f\\x5fclass\\x5f\\x5f') }}"),
    Case("subscript-class", "{{ product['__class__']['__base__'] }}"),
    Case("generator-frame", "{{ (range(3)|map('string')).gi_frame.f_globals }}"),
    Case("generator-code", "{{ (range(3)|map('string')).gi_code }}"),
    Case("str-join-self", "{{ ''.join.__self__.__class__ }}"),
    Case("global-instructions-class", "{{ data_instructions.__class__.__mro__ }}"),
    Case("undeclared-config", "{{ config.items() }}"),
    Case("undeclared-request", "{{ request.application.__globals__ }}"),
    Case("str-translate", "{{ 'abc'.translate({97: 'x'}) }}"),
    Case(
        "macro-varargs-class",
        "{% macro m() %}{{ varargs.__class__.__mro__ }}{% endmacro %}{{ m(1) }}",
    ),
    Case(
        "macro-kwargs-class",
        "{% macro m() %}{{ kwargs.__class__.__subclasses__() }}{% endmacro %}{{ m(a=1) }}",
    ),
    Case(
        "caller-globals",
        "{% macro m() %}{{ caller.__globals__ }}{% endmacro %}{% call m() %}x{% endcall %}",
    ),
    Case("loop-cycle-self", "{% for x in [1] %}{{ loop.cycle.__self__._iterator }}{% endfor %}"),
    Case("rewrite-hook-frame", "{{ (product|_contentgen_iter).gi_frame.f_globals }}"),
    Case("cycler-instance-private", "{{ cycler(1, 2)._Cycler__items }}"),
    Case("joiner-call-globals", "{{ joiner(',').__call__.__func__.__globals__ }}"),
]

FORMAT = [
    Case("format-attr-chain", "{{ '{0.__class__.__mro__}'.format(product) }}", group="format"),
    Case(
        "format-kwarg-globals", "{{ '{x.__init__.__globals__}'.format(x=cycler) }}", group="format"
    ),
    Case("format-map", "{{ '{p.__class__}'.format_map({'p': product}) }}", group="format"),
    Case(
        "cve-2024-56326-stored-ref",
        "{% set f = '{0.__class__}'.format %}{{ f(product) }}",
        group="format",
    ),
    Case(
        "cve-2024-56326-via-cycler",
        "{{ cycler('{0.__class__.__mro__}'.format).next()(product) }}",
        group="format",
    ),
    Case(
        "cve-2025-27516-attr-format",
        "{{ ('{0.__class__}'|attr('format'))(product) }}",
        group="format",
    ),
    Case(
        "attr-format-map",
        "{{ ('{p.__class__}'|attr('format_map'))({'p': product}) }}",
        group="format",
    ),
    Case("markup-format", "{{ ('{0.__class__}'|safe).format(product) }}", group="format"),
    Case(
        "str-type-format-unbound",
        "{{ ''.__class__.format('{0.__class__}', product) }}",
        group="format",
    ),
    Case("data-as-format-string", "{{ product.fmt.format(product) }}", group="format"),
    Case(
        "map-attribute-format",
        "{% for f in ['{0.__class__}']|map(attribute='format') %}{{ f(product) }}{% endfor %}",
        group="format",
    ),
    Case("printf-class", "{{ '%s'|format(product.__class__) }}", group="format"),
]

MUTATION = [
    Case("dict-update", "{{ product.update({'name': 'pwned'}) }}", group="mutation"),
    Case("dict-pop", "{{ product.pop('name') }}", group="mutation"),
    Case("dict-clear", "{{ product.clear() }}", group="mutation"),
    Case("dict-setdefault", "{{ product.setdefault('x', 1) }}", group="mutation"),
    Case("dict-popitem", "{{ product.popitem() }}", group="mutation"),
    Case("nested-dict-update", "{{ product.meta.update(color='pwned') }}", group="mutation"),
    Case("list-append", "{{ product.tags.append('pwned') }}", group="mutation"),
    Case("list-pop", "{{ product.tags.pop() }}", group="mutation"),
    Case(
        "list-sort-reverse",
        "{{ product.tags.sort() }}{{ product.tags.reverse() }}",
        group="mutation",
    ),
    Case(
        "list-extend-insert",
        "{{ product.tags.extend(['x']) }}{{ product.tags.insert(0, 'x') }}",
        group="mutation",
    ),
    Case("list-setitem", "{{ product.tags.__setitem__(0, 'pwned') }}", group="mutation"),
    Case("unbound-dict-update", "{{ dict.update(product, {'name': 'pwned'}) }}", group="mutation"),
    Case("unbound-dict-clear", "{{ dict.clear(product) }}", group="mutation"),
    Case("unbound-dict-pop", "{{ dict.pop(product.meta, 'color') }}", group="mutation"),
    Case("set-attribute-on-data", "{% set product.name = 'pwned' %}", group="mutation"),
    Case(
        "namespace-copy-is-harmless",
        "{% set n = namespace(name=product.name) %}{% set n.name = 'changed' %}{{ n.name }} {{ product.name }}",
        blocked=False,
        expect=("changed Mug",),
        group="mutation",
    ),
    Case(
        "dict-copy-is-harmless",
        "{% set d = dict(product) %}{{ d.name }}",
        blocked=False,
        expect=("Mug",),
        group="mutation",
    ),
]

INCLUDES = [
    Case("include-absolute", "{% include '/etc/passwd' %}", group="include"),
    Case("include-dotdot", "{% include '../../../../etc/passwd' %}", group="include"),
    Case("include-dotdot-in-id", "{% include 'marketing/../../../etc/passwd' %}", group="include"),
    Case("include-file-url", "{% include 'file:///etc/passwd' %}", group="include"),
    Case("extends-absolute", "{% extends '/etc/hosts' %}", group="include"),
    Case("import-dotdot", "{% import '../secrets.j2' as s %}{{ s }}", group="include"),
    Case("from-import-dotdot", "{% from '../../x.j2' import y %}{{ y }}", group="include"),
    Case("include-from-data", "{% include product.path %}", group="include"),
    Case("include-list-first-bad", "{% include ['/etc/passwd', '{self_id}'] %}", group="include"),
    Case("include-self-recursion", "x{% include '{self_id}' %}", group="include"),
    Case(
        "filename-injection-id",
        "{% include \"marketing/x'\\n__import__('os')\" %}",
        group="include",
    ),
]

BOMBS = [
    Case("range-huge", "{{ range(10**9)|list }}", group="resource"),
    Case("range-huge-loop", "{% for i in range(10**9) %}{% endfor %}", group="resource"),
    Case("pow-tower", "{{ 9**(9**9) }}", group="resource"),
    Case("pow-big", "{{ 2**1000000 }}", group="resource"),
    Case(
        "int-square-loop",
        "{% set n = namespace(x=7) %}{% for i in range(40) %}{% set n.x = n.x * n.x %}{% endfor %}{{ n.x }}",
        group="resource",
    ),
    Case("str-times-huge", "{{ 'a' * 10**9 }}", group="resource"),
    Case("str-times-chain", "{{ 'a' * 1000 * 1000 * 1000 }}", group="resource"),
    Case("list-times-huge", "{{ [1] * 10**9 }}", group="resource"),
    Case("printf-width", "{{ '%0999999999d' % 1 }}", group="resource"),
    Case("printf-precision", "{{ '%.999999999f' % 1.0 }}", group="resource"),
    Case("printf-star-width", "{{ '%*d' % (999999999, 1) }}", group="resource"),
    Case("printf-filter-width", "{{ '%999999999s'|format('x') }}", group="resource"),
    Case("format-width", "{{ '{:>999999999}'.format(1) }}", group="resource"),
    Case("format-nested-width", "{{ '{:{w}}'.format(1, w=999999999) }}", group="resource"),
    Case("format-many-widths", "{{ ('{0:>300000}' * 10).format(1) }}", group="resource"),
    Case("center-filter", "{{ 'x'|center(10**9) }}", group="resource"),
    Case("indent-str-width", "{{ ('\\n' * 100000)|indent('x' * 100000) }}", group="resource"),
    Case("ljust-method", "{{ 'x'.ljust(10**9) }}", group="resource"),
    Case("zfill-method", "{{ '1'.zfill(10**9) }}", group="resource"),
    Case("expandtabs", "{{ ('\\t' * 1000).expandtabs(10**7) }}", group="resource"),
    Case("replace-method", "{{ ('a' * 100000).replace('a', 'a' * 100000) }}", group="resource"),
    Case("replace-empty-filter", "{{ ('a' * 100000)|replace('', 'b' * 1000) }}", group="resource"),
    Case("join-method", "{{ ('y' * 300000).join(range(10000)|map('string')) }}", group="resource"),
    Case("join-filter", "{{ range(10000)|join('y' * 300000) }}", group="resource"),
    Case(
        "wordwrap-wrapstring",
        "{{ ('x' * 1000)|wordwrap(1, wrapstring='y' * 100000) }}",
        group="resource",
    ),
    Case("tojson-indent", "{{ product|tojson(indent=10**6) }}", group="resource"),
    Case("batch-fill", "{{ [1]|batch(10**9, 'x')|list }}", group="resource"),
    Case("slice-count", "{{ [1]|slice(10**9)|list }}", group="resource"),
    Case("sum-lists-quadratic", "{{ range(10000)|batch(1)|sum(start=[]) }}", group="resource"),
    Case("lipsum-huge", "{{ lipsum(n=10**6) }}", group="resource"),
    Case(
        "nested-loops",
        "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
        group="resource",
    ),
    Case(
        "nested-loops-output",
        "{% for a in range(10000) %}{% for b in range(10000) %}x{% endfor %}{% endfor %}",
        group="resource",
    ),
    Case(
        "output-flood", "{% for i in range(10000) %}{{ 'x' * 100 }}{% endfor %}", group="resource"
    ),
    Case(
        "slow-body-deadline",
        "{% for a in range(10000) %}{% for b in range(10) %}{{ big|wordcount }}{% endfor %}{% endfor %}",
        group="resource",
        data={"big": "word " * 60_000},
    ),
    Case(
        "macro-infinite-recursion",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        group="resource",
    ),
    Case(
        "macro-exponential",
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(30) }}",
        group="resource",
    ),
    Case(
        "macro-caller-recursion",
        "{% macro f() %}{{ caller() }}{% endmacro %}"
        "{% macro g() %}{% call f() %}{{ g() }}{% endcall %}{% endmacro %}{{ g() }}",
        group="resource",
    ),
    Case(
        "recursive-loop",
        "{% for x in range(100) recursive %}{{ loop(range(100)) }}{% endfor %}",
        group="resource",
    ),
    Case(
        "concat-doubling",
        "{% set n = namespace(s='a') %}{% for i in range(64) %}{% set n.s = n.s ~ n.s %}{% endfor %}",
        group="resource",
    ),
    Case(
        "plus-doubling",
        "{% set n = namespace(s='a') %}{% for i in range(64) %}{% set n.s = n.s + n.s %}{% endfor %}",
        group="resource",
    ),
    Case(
        "list-dag-bomb",
        "{% set n = namespace(l=[1]) %}{% for i in range(64) %}{% set n.l = [n.l, n.l] %}{% endfor %}{{ n.l }}",
        group="resource",
    ),
    Case(
        "tuple-hash-bomb",
        "{% set n = namespace(t=(1,)) %}{% for i in range(64) %}{% set n.t = (n.t, n.t) %}{% endfor %}"
        "{{ n.t in {} }}",
        group="resource",
    ),
    Case(
        "dict-dag-bomb",
        "{% set n = namespace(d={}) %}{% for i in range(64) %}{% set n.d = dict(a=n.d, b=n.d) %}{% endfor %}"
        "{{ n.d|tojson }}",
        group="resource",
    ),
    Case(
        "deep-nesting-chain",
        "{% set n = namespace(l=1) %}{% for i in range(5000) %}{% set n.l = [n.l] %}{% endfor %}{{ n.l|tojson }}",
        group="resource",
    ),
    Case(
        "filter-block-capture",
        "{% filter length %}{% for i in range(10000) %}{{ 'x' * 300000 }}{% endfor %}{% endfilter %}",
        group="resource",
    ),
    Case(
        "set-block-capture",
        "{% set big %}{% for i in range(10000) %}{{ 'x' * 300000 }}{% endfor %}{% endset %}{{ big|length }}",
        group="resource",
    ),
    Case("tilde-concat-big", "{{ 'x' * 300000 ~ 'y' * 300000 }}", group="resource"),
    Case("zero-division", "{{ 1 // 0 }}", group="resource"),
]


class Stall:
    """Request data with a method that never returns: one long call no check can interrupt."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stall)

    def __hash__(self) -> int:
        return 0

    def wait(self) -> str:
        """Block (in C, in `time.sleep`) far longer than any render budget."""
        time.sleep(3600)
        return "woke"


_BIG = "ab " * 63_000  # 189,000 characters, under the value cap
_LIST = list(range(50_000))

# Filters whose cost grows faster than their input, or that are cheap once and slow 40 times.
SUPERLINEAR = [
    Case("urlize-quadratic-parens", "{{ (')' * 20000 ~ 'x)') | urlize }}", group="resource"),
    Case("urlize-quadratic-dots", "{{ ('a' ~ '.' * 20000 ~ 'x.') | urlize }}", group="resource"),
    Case("urlize-many-long-words", "{{ ((')' * 2000 ~ 'x) ') * 100) | urlize }}", group="resource"),
    Case(
        "urlize-data-word",
        "{{ word | urlize }}",
        group="resource",
        data={"word": ")" * 20_000 + "x)"},
    ),
    Case(
        "urlize-many-schemes",
        "{{ 'x' | urlize(extra_schemes=range(1000)|map('string')|list) }}",
        group="resource",
    ),
    Case(
        "wordwrap-40-times",
        "{% for i in range(40) %}{{ big | wordwrap(1) | length }}{% endfor %}",
        group="resource",
        data={"big": _BIG},
    ),
    Case("wordwrap-one-huge", "{{ ('ab ' * 130000) | wordwrap(1) | length }}", group="resource"),
    Case(
        "replace-loop",
        "{% for i in range(1000) %}{{ big | replace('a', 'b') | length }}{% endfor %}",
        group="resource",
        data={"big": _BIG},
    ),
    Case(
        "center-loop",
        "{% for i in range(1000) %}{{ big | center(390000) | length }}{% endfor %}",
        group="resource",
        data={"big": _BIG},
    ),
    Case(
        "indent-loop",
        "{% for i in range(1000) %}{{ big | indent(4, true) | length }}{% endfor %}",
        group="resource",
        data={"big": _BIG.replace(" ", "\n")},
    ),
    Case(
        "format-loop",
        "{% for i in range(1000) %}{{ '%s' | format(big) | length }}{% endfor %}",
        group="resource",
        data={"big": _BIG},
    ),
    Case(
        "striptags-loop",
        "{% for i in range(1000) %}{{ big | striptags | length }}{% endfor %}",
        group="resource",
        data={"big": "<b>" * 60_000},
    ),
    Case(
        "title-loop",
        "{% for i in range(1000) %}{{ big | title | length }}{% endfor %}",
        group="resource",
        data={"big": _BIG},
    ),
    Case(
        "pprint-loop",
        "{% for i in range(1000) %}{{ items | pprint | length }}{% endfor %}",
        group="resource",
        data={"items": _LIST},
    ),
    Case(
        "sort-loop",
        "{% for i in range(1000) %}{{ items | sort(reverse=true) | first }}{% endfor %}",
        group="resource",
        data={"items": _LIST},
    ),
    Case(
        "tojson-loop",
        "{% for i in range(1000) %}{{ items | tojson | length }}{% endfor %}",
        group="resource",
        data={"items": _LIST},
    ),
    Case(
        "in-test-loop",
        "{% for i in range(10000) %}{% for j in range(10) %}{{ 'zz' is in big }}{% endfor %}{% endfor %}",
        group="resource",
        data={"big": _BIG},
    ),
    Case(
        "in-operator-loop",
        "{% for i in range(10000) %}{% for j in range(10) %}{{ 'zz' in big }}{% endfor %}{% endfor %}",
        group="resource",
        data={"big": _BIG},
    ),
    Case(
        "data-over-value-cap",
        "{{ huge | upper }}",
        group="resource",
        data={"huge": "x" * 500_000},
    ),
    Case("one-call-never-returns", "{{ stall.wait() }}", group="resource", data={"stall": Stall()}),
]

XSS = [
    Case(
        "xss-script-text",
        "<h1>{{ product.xss }}</h1>",
        blocked=False,
        html=True,
        expect=("&lt;script&gt;",),
        forbid=("<script",),
        group="xss",
    ),
    Case(
        "xss-attribute-break",
        '<a title="{{ product.attr_xss }}">x</a>',
        blocked=False,
        html=True,
        expect=("&#34;&gt;&lt;img",),
        forbid=('"><img',),
        group="xss",
    ),
    Case(
        "xss-data-filter",
        "<p>{{ product.xss | data }}</p>",
        blocked=False,
        html=True,
        forbid=("<script",),
        group="xss",
    ),
    Case(
        "xss-urlize-javascript",
        "<p>{{ product.js|urlize }}</p>",
        blocked=False,
        html=True,
        forbid=('href="javascript',),
        group="xss",
    ),
    Case(
        "xss-inside-include-data",
        "<div>{{ product.xss ~ product.attr_xss }}</div>",
        blocked=False,
        html=True,
        forbid=("<script", '"><img'),
        group="xss",
    ),
    Case(
        "cve-2024-22195-xmlattr-space",
        "<div{{ product.evil_keys|xmlattr }}></div>",
        html=True,
        group="xss",
    ),
    Case(
        "cve-2024-34064-xmlattr-slash",
        "<div{{ product.slash_key|xmlattr }}></div>",
        html=True,
        group="xss",
    ),
]

SECOND_ORDER = [
    Case(
        "data-expression-literal",
        "Name: {{ product.template_text }}",
        blocked=False,
        expect=("{{ 7*7 }}",),
        forbid=("49",),
        group="second-order",
    ),
    Case(
        "data-statement-literal",
        "{{ product.statement }}",
        blocked=False,
        expect=("{% for x in range(10**9) %}",),
        group="second-order",
    ),
    Case(
        "data-ssti-literal",
        "{{ product.ssti }}",
        blocked=False,
        expect=("lipsum.__globals__",),
        group="second-order",
    ),
    Case(
        "data-through-data-filter",
        "{{ product.template_text | data('facts') }}",
        blocked=False,
        expect=("<<<facts", "{{ 7*7 }}"),
        forbid=("49",),
        group="second-order",
    ),
    Case(
        "data-printf-harmless",
        "{{ '%s!'|format(product.template_text) }}",
        blocked=False,
        expect=("{{ 7*7 }}!",),
        group="second-order",
    ),
    Case(
        "data-in-loop-literal",
        "{% for k, v in product.meta.items() %}{{ k }}={{ v }};{% endfor %}",
        blocked=False,
        expect=("color=red;",),
        group="second-order",
    ),
]

CASES: list[Case] = (
    ESCAPES + FORMAT + MUTATION + INCLUDES + BOMBS + SUPERLINEAR + XSS + SECOND_ORDER
)
