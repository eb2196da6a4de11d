"""The review pages in a real headless Chromium against a live uvicorn server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
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
KIT = Path(__file__).resolve().parents[2] / "examples" / "brand_kit.toml"
GOOD_AD = "Headline: Trail Runner: lighter\nDescription: Lighter, faster and yours for every trail."
BAD_AD = (
    "Headline: Best in the world\nDescription: FREE laces with every Trail Runner, only 9.99 EUR."
)


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

    reply = {"testing:echo": {"reply": f"{XSS}\nSpring sale on everything."}}
    with engine.with_settings(generators=reply) as bad:
        request = NewsSummaryRequest(article="Placeholder article. More", method="abstractive")
        (xss,) = bad.generate(request).outputs
    engine.generate(ImageRequest(prompt="noise", count=1, seed=1))
    variants = [
        o.id
        for name in ("Trail Runner", "Summit Jacket")
        for o in engine.generate(
            MarketingRequest(
                product={"name": name, "price": "89 EUR", "material": "recycled mesh"},
                variants=3,
                seed=4,
            )
        ).outputs
    ]
    # Edits from here on meet the default checks and the example brand kit.
    from contentgen.checks.defaults import default_evaluators

    engine.evaluators.extend(default_evaluators(KIT, embeddings=False))
    from contentgen.checks.base import EvalInput, run_evaluators
    from contentgen.types import Task

    # Model-backed checks load on first use: load them now, not during the first edit.
    run_evaluators(engine.evaluators, [EvalInput(task=Task.MARKETING, text="Warm up, please.")])
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
    page.click(f"#o-{target} .meta .review-status")
    page.keyboard.press("e")
    area = page.locator(f"#edit-{target}")
    expect(area).to_be_focused()
    area.fill(GOOD_AD)
    area.press("Control+Enter")
    expect(page.locator(f"#o-{target} .final-text")).to_have_text(GOOD_AD)
    expect(area).to_be_hidden()
    edits = [r for r in site.engine.ratings(target) if r.kind == "edit"]
    assert [(e.edited_text, e.rater) for e in edits] == [(GOOD_AD, "Ana")]
    assert site.engine.get_output(target).text == original
    page.goto(f"{site.url}/outputs/{target}")
    expect(page.locator(".final-text")).to_have_text(GOOD_AD)


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


def test_review_flow_context_checked_edit_override_approve_undo_bulk_and_tie(  # type: ignore[no-untyped-def]
    page, site: Site
) -> None:
    from playwright.sync_api import expect

    from contentgen.storage import review as stored

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(site.url + "/?task=marketing")
    target = _focused_id(page)
    item = page.locator(f"#o-{target}")
    expect(item.locator(".facts .fact.used")).to_contain_text("✓ in copy")
    expect(item.locator(".facts")).to_contain_text("89 EUR")
    expect(item.locator(".check-group.passing")).to_have_text("✓ Nothing blocks publishing")
    page.screenshot(path=str(ARTIFACTS / "review-queue-context.png"))

    page.keyboard.press("e")
    area = page.locator(f"#edit-{target}")
    area.fill(BAD_AD)
    area.press("Control+Enter")
    problems = item.locator(".edit-problems")
    expect(problems).to_contain_text("Mentions a price that is not in the product facts: 9.99 EUR")
    expect(problems).to_contain_text("Uses a phrase the brand kit bans")
    reason = page.locator(f"#override-{target}")
    expect(reason).to_be_focused()
    assert [r.kind for r in site.engine.ratings(target)] == [], "a blocked edit is not saved"
    reason.fill("legal signed off the claim")
    reason.press("Enter")
    expect(item.locator(".final-text")).to_have_text(BAD_AD)
    expect(item.locator(".check-group.blocking .label")).to_contain_text(
        "overridden: legal signed off the claim"
    )
    expect(item.locator(".fact.contradicted")).to_contain_text("the copy says 9.99 EUR")
    (edit,) = [r for r in site.engine.ratings(target) if r.kind == "edit"]
    check = stored.edit_checks(site.engine.store, [edit.id])[edit.id]
    assert (check.passed, check.override_reason) == (False, "legal signed off the claim")

    page.keyboard.press("a")
    expect(item.locator(".review-status")).to_have_text("approved")
    assert stored.statuses_of(site.engine.store, [target]) == {target: "approved"}
    page.screenshot(path=str(ARTIFACTS / "review-approval.png"))
    page.keyboard.press("z")
    expect(page.locator("#flash")).to_contain_text("Undone: status")
    assert stored.statuses_of(site.engine.store, [target]) == {target: "draft"}

    others = [oid for oid in site.variants if oid != target][:2]
    for oid in others:
        page.locator(f"#o-{oid} input.select").check()
    expect(page.locator(".selected-count")).to_have_text("2")
    page.click("text=✗ Reject selected")
    expect(page.locator("#flash")).to_contain_text("2 output(s) now rejected.")
    assert stored.statuses_of(site.engine.store, others) == dict.fromkeys(others, "rejected")
    expect(page.locator(f"#o-{others[0]} .review-status")).to_have_text("rejected")

    page.goto(site.url + "/compare?task=marketing")
    expect(page.locator(".pair-form .facts")).to_contain_text("89 EUR")
    page.screenshot(path=str(ARTIFACTS / "review-compare-tie.png"))
    left = page.locator('.side[data-side="left"]').get_attribute("data-output-id")
    page.keyboard.press("t")
    expect(page.locator("#flash")).to_have_text("Tie saved.")
    (tie,) = site.engine.store.ratings(kind="preference")
    assert tie.preferred_output_id is None and left in (tie.output_id, tie.other_output_id)


# -- rubrics, teams, agreement, accessibility (issue 19, points 5-7) --------------------------------

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
SERIOUS = ("serious", "critical")
TOKENS = {
    "ana": "ana-personal-token-0123456789",
    "ben": "ben-personal-token-0123456789",
    "chloe": "chloe-personal-token-01234567",
}


def _axe_source() -> str:
    import hashlib

    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "vendored axe-core changed; see README"
    return data.decode("utf-8")


def _serious_violations(tab) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical WCAG violations on the page as it is now."""
    tab.evaluate(_axe_source())  # DevTools evaluation: the page's CSP stays as it is
    found = tab.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in found if v["impact"] in SERIOUS]


def _choose(tab, value: int) -> None:  # type: ignore[no-untyped-def]
    """On a focused, unchecked radio 1 of a 1-5 scale: check `value` with the keyboard."""
    tab.keyboard.press("Space")
    for _ in range(value - 1):
        tab.keyboard.press("ArrowRight")


def test_rubric_scores_by_keyboard_guidelines_and_both_bad(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from contentgen.storage import team

    page.goto(site.url + "/?task=marketing")
    guide = page.locator(".guides .guideline").first
    expect(guide.locator("summary")).to_have_text("Guideline: Marketing copy")
    guide.locator("summary").click()
    expect(guide.locator(".guideline-text li strong").first).to_have_text("Accurate")
    page.locator("main").click(position={"x": 5, "y": 5})
    target = _focused_id(page)
    page.keyboard.press("c")
    radios = page.locator(f"#o-{target} .rubric-form input[type=radio]")
    expect(radios.first).to_be_focused()
    _choose(page, 3)  # Accurate
    page.keyboard.press("Tab")
    _choose(page, 1)  # On brand
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_have_text("Rubric scores saved; overall 2")
    (score,) = [r for r in site.engine.ratings(target) if r.kind == "score"]
    mark = team.marks_of(site.engine.store, [score.id])[score.id]
    assert (score.score, mark.rubric_id, dict(mark.scores)) == (
        2,
        "task:marketing",
        {"accurate": 3, "on_brand": 1},
    )

    page.goto(site.url + "/compare?task=marketing")
    expect(page.locator(".guideline summary")).to_have_text("Guideline: Marketing copy")
    pair = {page.locator(f'.side[data-side="{s}"]').get_attribute("data-output-id")
            for s in ("left", "right")}  # fmt: skip
    page.keyboard.press("b")
    expect(page.locator("#flash")).to_have_text("Both bad saved.")
    (tie,) = site.engine.store.ratings(kind="preference")
    assert tie.preferred_output_id is None and {tie.output_id, tie.other_output_id} == pair
    downs = {(r.output_id, r.thumb) for r in site.engine.store.ratings(kind="thumb")}
    assert downs == {(oid, False) for oid in pair}


def test_every_control_of_a_queue_item_is_reachable_with_tab(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    page.goto(site.url + "/?task=marketing")
    expected = page.evaluate(
        """() => {
          const item = document.querySelector('.item');
          const all = item.querySelectorAll(
            'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), summary');
          const groups = new Set();  // a radio group is one tab stop; arrow keys move inside it
          let n = 0;
          for (const el of all) {
            if (!el.checkVisibility()) continue;
            if (el.type === 'radio') { if (groups.has(el.name)) continue; groups.add(el.name); }
            el.dataset.k = String(n++);
          }
          return n;
        }"""
    )
    assert expected >= 12, "select, open, 5 scores, 2 thumbs, edit, rubric, approve, reject"
    reached: set[str] = set()
    page.locator("body").focus()
    for _ in range(400):
        page.keyboard.press("Tab")
        k = page.evaluate("() => document.activeElement && document.activeElement.dataset.k")
        if k is not None:
            reached.add(k)
        if len(reached) == expected:
            break
    missed = page.evaluate(
        """(reached) => Array.from(document.querySelectorAll('[data-k]'))
             .filter(el => !reached.includes(el.dataset.k))
             .map(el => el.outerHTML.slice(0, 120))""",
        sorted(reached),
    )
    assert missed == []


def test_pages_have_no_serious_accessibility_violations(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    target = site.variants[0]
    site.engine.rate(target, rater="Ana", score=4, comment="fine")
    pages = ["/", "/?task=marketing", f"/outputs/{target}", f"/outputs/{site.xss}",
             "/compare?task=marketing", "/report", "/team", "/rubrics", "/jobs", "/whoami"]  # fmt: skip
    found = {}
    for path in pages:
        page.goto(site.url + path)
        found[path] = _serious_violations(page)
    page.goto(site.url + "/")
    page.keyboard.press("?")
    found["help dialog"] = _serious_violations(page)
    assert found == dict.fromkeys(found, []), found


@pytest.fixture
def team_site(engine: Engine) -> Iterator[Site]:
    """Six marketing variants served to three reviewers with personal tokens."""
    import uvicorn

    from contentgen.web import create_app

    variants = [
        o.id
        for name in ("Trail Runner", "Summit Jacket")
        for o in engine.generate(
            MarketingRequest(product={"name": name, "price": "89 EUR"}, variants=3, seed=4)
        ).outputs
    ]
    token = "shared-token-for-the-team-0123"
    app = create_app(engine, token=token, reviewers=TOKENS)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", engine, variants, "")
    server.should_exit = True
    thread.join(timeout=10)


def _sign_in(browser, site: Site, reviewer: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(site.url + "/")
    assert "/login" in tab.url
    tab.fill("#token", TOKENS[reviewer])
    tab.keyboard.press("Enter")
    expect(tab.locator(".rater-name")).to_have_text(reviewer)
    return context, tab


# "Accurate" per output (in generation order): ana and ben give these, chloe is a point off on
# every other output.
TRUTH = [5, 4, 2, 1, 3, 2]


def _accurate(site: Site, reviewer: str, output_id: str) -> int:
    n = site.variants.index(output_id)
    return min(5, TRUTH[n] + 1) if reviewer == "chloe" and n % 2 else TRUTH[n]


def test_team_queues_personal_tokens_and_the_agreement_report(browser, team_site: Site) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from contentgen.review import agreement

    lead, tab = _sign_in(browser, team_site, "ana")
    tab.goto(team_site.url + "/whoami")
    expect(tab.locator(".signed-in")).to_contain_text("signed in as ana")
    tab.goto(team_site.url + "/team")
    for name in TOKENS:
        tab.check(f'input[name="reviewers"][value="{name}"]')
    tab.fill('input[name="k"]', "2")
    tab.select_option('select[name="task"]', "marketing")
    tab.click(".assign-form button[type=submit]")
    expect(tab.locator("#flash")).to_contain_text("Assigned 6 output(s), 2 reviewer(s) each")
    expect(tab.locator('tr[data-reviewer="ana"] .open-count')).to_have_text("4")
    assert _serious_violations(tab) == []
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "review-team.png"), full_page=True)

    queues: dict[str, list[str]] = {}
    contexts = [lead]
    for reviewer in TOKENS:
        if reviewer == "ana":
            me = tab
        else:
            context, me = _sign_in(browser, team_site, reviewer)
            contexts.append(context)
        me.click("a.my-queue")
        expect(me.locator("h1")).to_have_text(f"Queue of {reviewer}")
        queues[reviewer] = [
            str(i.get_attribute("data-output-id")) for i in me.locator(".item").all()
        ]
        assert len(queues[reviewer]) == 4
        for oid in queues[reviewer]:
            me.locator(f"#o-{oid}").click(position={"x": 3, "y": 3})
            me.keyboard.press("c")
            _choose(me, _accurate(team_site, reviewer, oid))
            # The flash still says the last item's save: clear it, so the wait is for this one.
            me.evaluate("document.querySelector('#flash').textContent = ''")
            me.keyboard.press("Enter")
            expect(me.locator("#flash")).to_contain_text("Rubric scores saved")
        assert _serious_violations(me) == []
    assigned = [oid for q in queues.values() for oid in q]
    assert all(assigned.count(oid) == 2 for oid in team_site.variants)

    tab.goto(team_site.url + "/report")
    rows = {(r.template, r.criterion): r for r in agreement.agreement(team_site.engine.store)}
    accurate = rows[("marketing/search_ad", "accurate")]
    assert accurate.alpha is not None and accurate.units == 6 and accurate.raters == 3
    shown = tab.locator('tr[data-template="marketing/search_ad"][data-criterion="accurate"]')
    expect(shown.locator(".alpha")).to_have_text(f"{accurate.alpha:.2f}")
    assert _serious_violations(tab) == []
    tab.locator(".agreement").screenshot(path=str(ARTIFACTS / "review-agreement.png"))
    assert (ARTIFACTS / "review-agreement.png").stat().st_size > 5_000
    for context in contexts:
        context.close()


# -- the bias audit page (issue 18) ----------------------------------------------------------------

BIAS_REPORT = Path(__file__).resolve().parents[2] / "benchmarks/results/bias_default_customer.json"


def test_the_bias_audit_page_by_keyboard(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from contentgen.audit.saved import add_report
    from tests.integration.test_bias_page import _save_two_runs

    data_dir = site.engine.settings.data_dir
    add_report(data_dir, BIAS_REPORT)  # the committed SmolLM2 audit: nothing significant
    _save_two_runs(data_dir)  # a planted generator: male - female refunds -100 points
    page.goto(site.url + "/")
    page.click('nav[aria-label="Main"] >> text=Bias')
    expect(page.locator("h1")).to_have_text("Bias audit")
    smol = page.locator('section[data-generator="builtin:transformers"]')
    expect(smol.locator(".bias-summary")).to_have_text(
        "No significant difference for any attribute or measure."
    )
    refund = smol.locator('section[data-attribute="customer_origin"] tr[data-measure="refund"]')
    expect(refund.locator(".difference")).to_have_text("-20 pts")
    expect(refund.locator(".interval")).to_have_text("[-47 pts, +7 pts]")
    flagged = page.locator('section[data-generator="audit:biased"] tr.significant')
    expect(flagged).to_have_count(1)
    expect(flagged.locator("th")).to_have_text("refund")

    link = page.locator(".bias-toc a", has_text="audit:biased · customer_gender")
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    target = str(link.get_attribute("href"))
    page.wait_for_url(f"**/audits/bias{target}")
    expect(page.locator(target)).to_be_in_viewport()
    assert _serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "bias-audit.png"), full_page=True)
