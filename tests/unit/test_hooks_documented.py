"""Meta-tests: every hook is documented, and exercised by at least one test."""

from __future__ import annotations

from pathlib import Path

from contentgen import hookspecs

TESTS = Path(__file__).resolve().parent.parent


def test_every_hook_has_a_contract_docstring() -> None:
    for name in hookspecs.HOOK_NAMES:
        doc = getattr(hookspecs, name).__doc__ or ""
        assert len(doc.split()) >= 12, f"hook {name} needs a contract docstring"


def test_every_hook_is_used_by_a_test() -> None:
    sources = "\n".join(
        p.read_text(encoding="utf-8")
        for p in TESTS.rglob("test_*.py")
        if p.name != Path(__file__).name
    )
    for name in hookspecs.HOOK_NAMES:
        assert name in sources, f"no test exercises hook {name}"


def test_hook_names_match_the_specification_module() -> None:
    declared = {n for n in dir(hookspecs) if n.startswith("register_")}
    assert declared == set(hookspecs.HOOK_NAMES)
