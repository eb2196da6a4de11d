"""Shared fixtures: isolated settings, an engine on fast generators, and SQLite/PostgreSQL URLs."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from contentgen.config import Route, Settings
from contentgen.engine import Engine
from contentgen.plugins import load_plugins, plugin_module
from contentgen.testing import EchoGenerator, NoiseImageGenerator
from contentgen.types import Task
from tests.fuzzing import load_profile

HYPOTHESIS_PROFILE = load_profile()

POSTGRES_URL = os.environ.get(
    "CONTENTGEN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("CONTENTGEN_REQUIRE_POSTGRES") == "1"
SHARED_CACHE = Path(os.environ.get("CONTENTGEN_CACHE_DIR") or Path.home() / ".cache" / "contentgen")


def fast_plugin() -> object:
    """An in-memory plugin registering the fast test generators."""

    def register_generators(register):  # type: ignore[no-untyped-def]
        register(EchoGenerator)
        register(NoiseImageGenerator)

    return plugin_module("testing", register_generators=register_generators)


FAST_ROUTES = {
    Task.MARKETING: Route("testing:echo"),
    Task.NEWS_SUMMARY: Route("testing:echo", fallback="builtin:extractive"),
    Task.CUSTOMER_SERVICE: Route("testing:echo", template="customer_service/reply"),
    Task.IMAGE: Route("testing:noise"),
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings that write only below tmp_path, route every task to a fast generator."""
    return Settings(
        data_dir=tmp_path / "data",
        cache_dir=SHARED_CACHE,
        routes=FAST_ROUTES,
        use_entry_points=False,
        torch_threads=1,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """An engine on SQLite with the fast generators and no evaluators."""
    plugins = load_plugins((), use_entry_points=False, extra=[("testing", fast_plugin())])
    with Engine(settings, plugins, evaluators=[]) as built:
        yield built


def _postgres_database() -> Iterator[str]:
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except Exception as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"CI asked for PostgreSQL at {POSTGRES_URL} and it is unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}")
    name = f"cg_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base, _, _ = POSTGRES_URL.rpartition("/")
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database URL."""
    yield from _postgres_database()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every Hypothesis test `fuzz`, so `make fuzz` can run just those, longer."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.fuzz)
