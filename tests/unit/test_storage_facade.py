"""Only contentgen/storage touches SQL: no other module imports SQLAlchemy or the ORM tables, or
reaches into the store's database or sessions (principle 8: ORM rows never leave storage/)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "contentgen"
STORAGE = PACKAGE / "storage"
PLUGINS = ROOT / "plugins"
# The SQL libraries, and the storage modules that hand out ORM rows, engines or sessions.
FORBIDDEN_MODULES = (
    "sqlalchemy",
    "alembic",
    "contentgen.storage.tables",
    "contentgen.storage.database",
    "contentgen.storage.rows",
)
# `request.session` is Starlette's signed cookie, not a database session.
SESSION_OWNERS = {"request"}


def _forbidden(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in FORBIDDEN_MODULES)


def facade_violations(source: str, where: str) -> list[str]:
    """Every SQL import and database/session access in one module's source, as 'where:line: what'."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"{where}:{node.lineno}: imports {a.name}" for a in node.names if _forbidden(a.name)
            ]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            if any(_forbidden(m) for m in modules):
                found.append(f"{where}:{node.lineno}: imports from {node.module}")
        elif isinstance(node, ast.Attribute) and node.attr == "db":
            found.append(f"{where}:{node.lineno}: uses .db ({ast.unparse(node)})")
        elif isinstance(node, ast.Attribute) and node.attr == "session":
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in SESSION_OWNERS):
                found.append(f"{where}:{node.lineno}: uses .session ({ast.unparse(node)})")
    return found


def _modules_outside_storage() -> list[Path]:
    paths = [*PACKAGE.rglob("*.py"), *PLUGINS.rglob("*.py")]
    return sorted(
        p
        for p in paths
        if not p.is_relative_to(STORAGE) and "_migrations" not in p.relative_to(ROOT).parts
    )


def test_no_module_outside_storage_touches_sql_orm_tables_or_sessions() -> None:
    modules = _modules_outside_storage()
    assert len(modules) > 50  # the scan sees the package, not an empty folder
    violations = [
        v
        for path in modules
        for v in facade_violations(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert violations == []


# What storage may build on: it sits below the engine, batch, feedback and the faces.
STORAGE_MAY_IMPORT = (
    "contentgen.storage",
    "contentgen.errors",
    "contentgen.types",
    "contentgen.ids",
)


def _contentgen_imports(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("contentgen")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("contentgen"):
            found.add(str(node.module))
    return found


def test_storage_imports_nothing_above_it() -> None:
    above = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted(STORAGE.rglob("*.py"))
        for module in _contentgen_imports(path.read_text(encoding="utf-8"))
        if not any(module == m or module.startswith(m + ".") for m in STORAGE_MAY_IMPORT)
    }
    assert above == set()


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("from sqlalchemy import select", "imports from sqlalchemy"),
        ("import sqlalchemy.orm", "imports sqlalchemy.orm"),
        (
            "from contentgen.storage.tables import OutputRow",
            "imports from contentgen.storage.tables",
        ),
        ("from contentgen.storage import tables", "imports from contentgen.storage"),
        ("from contentgen.storage.database import Database", "imports from"),
        ("with engine.store.db.read() as s: pass", "uses .db (engine.store.db)"),
        ("store = engine.store\nrows = list_jobs(store.db)", "uses .db (store.db)"),
        ("s = store.session", "uses .session (store.session)"),
    ],
)
def test_the_scan_catches_each_kind_of_leak(source: str, what: str) -> None:
    (violation,) = facade_violations(source, "leaky.py")
    assert what in violation


@pytest.mark.parametrize(
    "source",
    [
        "from contentgen.storage import jobs, reads\njobs.list_jobs(engine.store)",
        "from contentgen.storage.store import Store",
        "from contentgen.storage.feedback import FeedbackStore",
        "request.session['rater'] = name",
        "url = engine.store.location",
    ],
)
def test_the_facade_itself_and_cookie_sessions_pass(source: str) -> None:
    assert facade_violations(source, "fine.py") == []
