"""The review pages in a real headless Chromium against a live uvicorn server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from contentgen.engine import Engine
from contentgen.types import ImageRequest, MarketingRequest, NewsSummaryRequest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"
XSS = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>"


@dataclass
class Site:
    url: str
    engine: Engine
    variants: list[str]
    xss: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Debian Chromium for the module (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing; `make system-deps` (apt-get install chromium) installs it"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def site(engine: Engine) -> Iterator[Site]:
    """Generated outputs (one with an XSS payload) served by uvicorn in a background thread."""
    import uvicorn

    from contentgen.web import create_app

    (produced,) = engine.produce([NewsSummaryRequest(article="Placeholder article. More")])
    xss = replace(produced.outputs[0], text=f"{XSS}\nSpring sale on everything.")
    engine.persist([replace(produced, outputs=(xss,))])
    engine.generate(ImageRequest(prompt="noise", count=1, seed=1))
    variants = [
        o.id
        for name in ("Trail Runner", "Summit Jacket")
        for o in engine.generate(
            MarketingRequest(product={"name": name}, variants=3, seed=4)
        ).outputs
    ]
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", engine, variants, xss.id)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser, site: Site) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser context that has told the site who is reviewing; fails on any JS error."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.goto(site.url + "/")
    assert "/whoami" in tab.url
    tab.fill("#rater", "Ana")
    tab.click("text=Start reviewing")
    tab.wait_for_selector(".item.focused")
    yield tab
    context.close()
    assert not errors, f"browser errors (CSP violations show up here too): {errors}"


def _focused_id(tab) -> str:  # type: ignore[no-untyped-def]
    return str(tab.locator(".item.focused").get_attribute("data-output-id"))


def test_rate_with_the_keyboard_and_screenshot_the_queue(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    first = _focused_id(page)
    page.keyboard.press("4")
    expect(page.locator("#flash")).to_have_text("Score 4 saved")
    second = _focused_id(page)
    assert second != first, "scoring moves focus to the next item"
    page.keyboard.press("k")
    assert _focused_id(page) == first
    page.keyboard.press("u")
    expect(page.locator("#flash")).to_have_text("Thumb up saved")
    expect(page.locator(f"#o-{first} .rating-count")).to_have_text("2")
    page.keyboard.press("j")
    page.keyboard.press("j")
    third = _focused_id(page)
    page.keyboard.press("2")
    expect(page.locator(f"#o-{third} button.score.chosen")).to_have_text("2")
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()

    got = {(r.output_id, r.kind, r.score, r.thumb, r.rater) for r in site.engine.ratings()}
    assert got == {
        (first, "score", 4, None, "Ana"),
        (first, "thumb", None, True, "Ana"),
        (third, "score", 2, None, "Ana"),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"))
    assert (ARTIFACTS / "review-queue.png").stat().st_size > 10_000
    page.reload()
    rated_last = page.locator(".item").last.get_attribute("data-rated")
    assert rated_last == "1", "after a reload the rated items sink below the unrated ones"


def test_compare_two_outputs_side_by_side(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(site.url + "/compare?task=marketing")
    left = page.locator('.side[data-side="left"]').get_attribute("data-output-id")
    right = page.locator('.side[data-side="right"]').get_attribute("data-output-id")
    assert left in site.variants and right in site.variants and left != right
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#flash")).to_have_text("Preference saved.")
    (pref,) = site.engine.store.ratings(kind="preference")
    assert (pref.output_id, pref.other_output_id, pref.preferred_output_id, pref.rater) == (
        left,
        right,
        left,
        "Ana",
    )


def test_edit_the_final_text_in_place(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    target = site.variants[0]
    original = site.engine.get_output(target).text
    page.click(f"#o-{target} .meta span.status")
    page.keyboard.press("e")
    area = page.locator(f"#edit-{target}")
    expect(area).to_be_focused()
    area.fill("Trail Runner: lighter, faster, yours.")
    area.press("Control+Enter")
    expect(page.locator(f"#o-{target} .final-text")).to_have_text(
        "Trail Runner: lighter, faster, yours."
    )
    expect(area).to_be_hidden()
    edits = [r for r in site.engine.ratings(target) if r.kind == "edit"]
    assert [(e.edited_text, e.rater) for e in edits] == [
        ("Trail Runner: lighter, faster, yours.", "Ana")
    ]
    assert site.engine.get_output(target).text == original
    page.goto(f"{site.url}/outputs/{target}")
    expect(page.locator(".final-text")).to_have_text("Trail Runner: lighter, faster, yours.")


def test_markup_in_generated_text_stays_inert(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    for url in (f"/outputs/{site.xss}", "/?task=news_summary"):
        page.goto(site.url + url)
        shown = page.locator(f"#o-{site.xss} .original").inner_text()
        assert shown.startswith(XSS), "the payload is shown as text"
        assert page.evaluate("() => window.__xss") is None
        assert (
            page.locator(f"#o-{site.xss} .original script, #o-{site.xss} .original img").count()
            == 0
        )
