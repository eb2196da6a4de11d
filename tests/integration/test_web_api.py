"""The review web app via FastAPI's TestClient: ratings, edits, preferences, security, export."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from contentgen.checks.base import EvalInput
from contentgen.checks.defaults import default_evaluators
from contentgen.engine import Engine
from contentgen.errors import ConfigError
from contentgen.export import COLUMNS
from contentgen.storage.tables import JobItemRow, JobRow
from contentgen.types import Evaluation, ImageRequest, MarketingRequest, NewsSummaryRequest, Task
from contentgen.web import create_app

XSS = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>"
TOKEN = "t0ken-for-tests-0123456789abcdef"
KIT = Path(__file__).resolve().parents[2] / "examples" / "brand_kit.toml"
GOOD_AD = "Headline: Trail Runner: go further\nDescription: Light, fast and ready for every trail."
# The issue's edit: banned claims and an invented price, in the search ad's two fields.
BAD_AD = (
    "Headline: Best in the world\nDescription: FREE laces with every Trail Runner, only 9.99 EUR."
)


class MentionsBad:
    """A non-gating evaluator that flags copy mentioning 'Bad' (stored, not rejected)."""

    name = "no_bad_words"
    tasks = frozenset({Task.MARKETING})
    gate = False

    def evaluate(self, items: Sequence[EvalInput]) -> list[Evaluation]:
        return [Evaluation(name=self.name, passed="Bad" not in i.text) for i in items]


@dataclass
class Seeded:
    engine: Engine
    runner: list[str]
    flagged: list[str]
    xss: str
    formula: str
    image: str
    job_id: str


def generated_text(engine: Engine, text: str) -> str:
    """Store a news summary whose generated text is exactly `text`, as a misbehaving model would."""
    with engine.with_settings(generators={"testing:echo": {"reply": text}}) as verbatim:
        request = NewsSummaryRequest(article="Placeholder article. More", method="abstractive")
        (output,) = verbatim.generate(request).outputs
    return output.id


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    """Marketing variants, flagged copy, an XSS payload, a formula-like text, an image and a job."""
    engine.evaluators.append(MentionsBad())
    job_id = "job0001"

    def add_job(s):  # type: ignore[no-untyped-def]
        s.add(
            JobRow(
                id=job_id, name="spring catalogue", task="marketing", status="running", total_rows=4
            )
        )
        s.flush()
        for i, state in enumerate(["done", "done", "failed", "pending"]):
            s.add(
                JobItemRow(
                    job_id=job_id,
                    row_index=i,
                    row_key=f"sku-{i}",
                    idempotency_key=f"k{i}",
                    status=state,
                    error="price missing" if state == "failed" else None,
                )
            )

    engine.store.db.write(add_job)
    # Two requests with the same brief and seed say the same words (the engine never returns
    # two such variants for one request): the job holds three outputs, two of them alike.
    runs = engine.generate_many(
        [MarketingRequest(product={"name": "Trail Runner"}, variants=2, seed=1),
         MarketingRequest(product={"name": "Trail Runner"}, variants=1, seed=1)],
        job_id=job_id,
    )  # fmt: skip
    runner_ids = [o.id for run in runs for o in run.outputs]
    flagged = engine.generate(MarketingRequest(product={"name": "Bad Boots"}, variants=2, seed=2))
    image = engine.generate(ImageRequest(prompt="noise", count=1, seed=3))
    return Seeded(
        engine,
        runner_ids,
        [o.id for o in flagged.outputs],
        generated_text(engine, f"{XSS} Spring sale."),
        generated_text(engine, '=HYPERLINK("http://evil.example")'),
        image.outputs[0].id,
        job_id,
    )


def _client(engine: Engine, **options: object) -> TestClient:
    return TestClient(create_app(engine, **options), base_url="http://127.0.0.1")  # type: ignore[arg-type]


def _name(client: TestClient, rater: str = "ana") -> dict[str, str]:
    """Set the session's reviewer name; returns the CSRF header for later calls."""
    token = client.get("/api/session").json()["csrf_token"]
    headers = {"X-CSRF-Token": token}
    assert client.post("/api/session", json={"rater": rater}, headers=headers).status_code == 200
    return headers


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    with _client(seeded.engine) as built:
        yield built


def _distinct_pair(seeded: Seeded) -> tuple[str, str]:
    """Two runner variants whose texts differ (the echo generator repeats itself at seed 1)."""
    texts = {oid: seeded.engine.get_output(oid).text for oid in seeded.runner}
    a = seeded.runner[0]
    return a, next(oid for oid in seeded.runner if texts[oid] != texts[a])


def _csrf_from_page(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)


def test_queue_asks_who_you_are_then_lists_unrated_first(
    seeded: Seeded, client: TestClient
) -> None:
    first = client.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/whoami")
    headers = _name(client)
    rated = seeded.runner[0]
    client.post(f"/api/outputs/{rated}/ratings", json={"score": 5}, headers=headers)
    page = client.get("/api/outputs", params={"limit": 100}).json()
    ids = [item["id"] for item in page["items"]]
    assert page["total"] == len(ids) == 8 and ids[-1] == rated
    html = client.get("/").text
    assert "reviewing as" in html and "ana" in html and html.count('class="item"') == 8


def test_rating_lands_in_the_database_under_the_session_name(
    seeded: Seeded, client: TestClient
) -> None:
    headers = _name(client, "ana")
    oid = seeded.runner[1]
    response = client.post(
        f"/api/outputs/{oid}/ratings",
        json={"score": 4, "thumb": "up", "rater": "mallory"},
        headers=headers,
    )
    assert response.status_code == 201 and [r["kind"] for r in response.json()] == [
        "score",
        "thumb",
    ]
    stored = seeded.engine.ratings(oid)
    assert {(r.kind, r.score, r.thumb, r.rater) for r in stored} == {
        ("score", 4, None, "ana"),
        ("thumb", None, True, "ana"),
    }
    detail = client.get(f"/api/outputs/{oid}").json()
    assert len(detail["ratings"]) == 2 and detail["provenance"]["generator_id"] == "testing:echo"


def test_bad_score_is_422_naming_the_valid_values(seeded: Seeded, client: TestClient) -> None:
    headers = _name(client)
    response = client.post(
        f"/api/outputs/{seeded.runner[0]}/ratings", json={"score": 7}, headers=headers
    )
    assert response.status_code == 422
    body = response.json()
    assert "1 to 5" in body["detail"] and body["choices"] == ["1", "2", "3", "4", "5"]
    thumb = client.post(
        f"/api/outputs/{seeded.runner[0]}/ratings", json={"thumb": "meh"}, headers=headers
    )
    assert thumb.status_code == 422 and "'down', 'up'" in thumb.json()["detail"]
    assert seeded.engine.ratings(seeded.runner[0]) == []


def test_unknown_output_is_404_with_the_message(seeded: Seeded, client: TestClient) -> None:
    headers = _name(client)
    assert client.get("/api/outputs/nope").json() == {"detail": "unknown output 'nope'"}
    assert client.get("/api/outputs/nope").status_code == 404
    assert (
        client.post("/api/outputs/nope/ratings", json={"score": 3}, headers=headers).status_code
        == 404
    )
    page = client.get("/outputs/nope")
    assert (
        page.status_code == 404
        and "unknown output" in page.text
        and "text/html" in page.headers["content-type"]
    )


def test_edit_is_stored_as_a_rating_and_the_original_is_kept(
    seeded: Seeded, client: TestClient
) -> None:
    headers = _name(client)
    oid = seeded.runner[0]
    original = seeded.engine.get_output(oid).text
    response = client.post(
        f"/api/outputs/{oid}/edit", json={"edited_text": GOOD_AD}, headers=headers
    )
    assert response.status_code == 201 and response.json()["kind"] == "edit"
    assert response.json()["findings"]["passed"] is True
    assert seeded.engine.get_output(oid).text == original
    assert client.get(f"/api/outputs/{oid}").json()["final_text"] == GOOD_AD
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/export", params={"format": "csv"}).text))
    )
    assert {r["output_id"]: r["final_text"] for r in rows}[oid] == GOOD_AD
    empty = client.post(f"/api/outputs/{oid}/edit", json={"edited_text": "  "}, headers=headers)
    assert empty.status_code == 422 and "edited_text" in empty.json()["detail"]


def test_compare_records_a_preference_through_the_engine(
    seeded: Seeded, client: TestClient
) -> None:
    headers = _name(client)
    a, b = _distinct_pair(seeded)
    response = client.post(
        "/api/compare", json={"first": a, "second": b, "preferred": b}, headers=headers
    )
    assert response.status_code == 201
    (pref,) = seeded.engine.store.ratings(kind="preference")
    assert (pref.output_id, pref.other_output_id, pref.preferred_output_id, pref.rater) == (
        a,
        b,
        b,
        "ana",
    )
    mixed = client.post(
        "/api/compare", json={"first": a, "second": seeded.xss, "preferred": a}, headers=headers
    )
    assert mixed.status_code == 422 and "cannot compare" in mixed.json()["detail"]
    wrong = client.post(
        "/api/compare", json={"first": a, "second": b, "preferred": "zzz"}, headers=headers
    )
    assert wrong.status_code == 422 and a in wrong.json()["detail"] and b in wrong.json()["detail"]


def test_compare_page_shows_sibling_variants_in_random_positions(
    seeded: Seeded, client: TestClient
) -> None:
    _name(client)
    orders = set()
    for _ in range(20):
        html = client.get(
            "/compare", params={"task": "marketing", "template_id": "marketing/search_ad"}
        ).text
        shown = tuple(re.findall(r'name="preferred" value="([0-9a-f]{32})"', html))
        assert len(shown) == 2 and (
            set(shown) <= set(seeded.runner) or set(shown) <= set(seeded.flagged)
        )
        orders.add(shown)
    assert any((b, a) in orders for a, b in orders), "positions never swapped in 20 pairs"
    first, second = next(iter(orders))
    form = {
        "first": first,
        "second": second,
        "preferred": second,
        "csrf_token": _csrf_from_page(html),
    }
    assert client.post("/compare", data=form, follow_redirects=False).status_code == 303
    assert [r.preferred_output_id for r in seeded.engine.store.ratings(kind="preference")] == [
        second
    ]


def test_state_changes_without_the_csrf_token_are_403(seeded: Seeded, client: TestClient) -> None:
    _name(client)
    oid = seeded.runner[0]
    assert client.post(f"/api/outputs/{oid}/ratings", json={"score": 3}).status_code == 403
    wrong = client.post(
        f"/api/outputs/{oid}/ratings", json={"score": 3}, headers={"X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403 and "CSRF" in wrong.json()["detail"]
    form = client.post(f"/outputs/{oid}/rate", data={"score": "3"})
    assert form.status_code == 403 and "text/html" in form.headers["content-type"]
    assert seeded.engine.ratings(oid) == []
    csrf = _csrf_from_page(client.get(f"/outputs/{oid}").text)
    ok = client.post(
        f"/outputs/{oid}/rate",
        data={"score": "3", "csrf_token": csrf, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == f"/outputs/{oid}"
    assert [r.score for r in seeded.engine.ratings(oid)] == [3]


def test_token_is_required_when_configured(seeded: Seeded) -> None:
    with _client(seeded.engine, token=TOKEN) as client:
        denied = client.get("/api/outputs")
        assert denied.status_code == 401 and denied.headers["www-authenticate"] == "Bearer"
        assert client.get("/openapi.json").status_code == 401
        assert (
            client.get(
                "/api/outputs", headers={"Authorization": "Bearer wrong-token-123456789"}
            ).status_code
            == 401
        )
        page = client.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert client.get("/api/outputs", headers=bearer).json()["total"] == 8
        rated = client.post(
            f"/api/outputs/{seeded.image}/ratings",
            json={"thumb": "down", "rater": "bot"},
            headers=bearer,
        )
        assert rated.status_code == 201 and seeded.engine.ratings(seeded.image)[0].rater == "bot"
        csrf = _csrf_from_page(client.get("/login").text)
        bad = client.post("/login", data={"token": "nope", "csrf_token": csrf})
        assert bad.status_code == 401 and "not right" in bad.text
        good = client.post(
            "/login",
            data={"token": TOKEN, "csrf_token": csrf, "next": "/jobs"},
            follow_redirects=False,
        )
        assert good.status_code == 303 and good.headers["location"] == "/jobs"
        assert (
            client.get("/jobs").status_code == 200 and client.get("/api/outputs").status_code == 200
        )


def test_weak_token_and_public_bind_without_token_are_refused(engine: Engine) -> None:
    with pytest.raises(ConfigError, match="at least 16 characters"):
        create_app(engine, token="short")
    env = {k: v for k, v in os.environ.items() if k != "CONTENTGEN_WEB_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "contentgen", "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2 and "CONTENTGEN_WEB_TOKEN" in result.stderr


def test_security_headers_and_host_check(seeded: Seeded, client: TestClient) -> None:
    _name(client)
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp
        and "frame-ancestors 'none'" in csp
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/review.js").headers["x-content-type-options"] == "nosniff"
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400


def test_generated_markup_is_escaped_everywhere(seeded: Seeded, client: TestClient) -> None:
    _name(client)
    hostile, twin = seeded.engine.generate(
        MarketingRequest(product={"name": "Boot", "material": XSS}, variants=2, seed=2)
    ).outputs
    for url in (
        "/",
        f"/outputs/{seeded.xss}",
        "/compare?task=news_summary",
        f"/outputs/{hostile.id}",
        f"/compare?a={hostile.id}&b={twin.id}",
    ):
        html = client.get(url).text
        assert "<script>window.__xss" not in html and "<img src=x" not in html
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), f"inline script on {url}"
    review = client.get(f"/api/outputs/{hostile.id}/review").json()
    assert {f["key"]: f["value"] for f in review["context"]["facts"]}["material"] == XSS


def test_images_come_only_from_inside_the_artifact_store(
    seeded: Seeded, client: TestClient
) -> None:
    _name(client)
    url = client.get(f"/api/outputs/{seeded.image}").json()["image_url"]
    image = client.get(url)
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    root = seeded.engine.store.artifacts.root
    (root / "notes.json").write_text("{}")
    (root / "link.png").symlink_to(Path(__file__))
    for bad in ("..%2F..%2F..%2Fetc%2Fpasswd", "notes.json", "link.png", "nope.png"):
        assert client.get(f"/artifacts/{bad}").status_code == 404, bad


def test_filters_narrow_the_queue(seeded: Seeded, client: TestClient) -> None:
    _name(client)

    def ids(**params: str) -> set[str]:
        return {i["id"] for i in client.get("/api/outputs", params=params).json()["items"]}

    assert ids(flag="any") == ids(flag="no_bad_words") == set(seeded.flagged)
    assert ids(job_id=seeded.job_id) == set(seeded.runner)
    assert ids(task="image") == {seeded.image}
    assert ids(generator_id="testing:noise") == {seeded.image}
    assert ids(channel="search_ad") == set(seeded.runner + seeded.flagged)
    bad = client.get("/api/outputs", params={"task": "poems"})
    assert bad.status_code == 422 and "'marketing'" in bad.json()["detail"]
    html = client.get("/", params={"flag": "any"}).text
    assert html.count('class="item"') == 2 and "Worth a look (does not block)" in html
    assert "Check “no_bad_words” did not pass" in html and "Blocks publishing" not in html
    assert ids(q="bad boots") == set(seeded.flagged), "search covers the product name"
    assert ids(q="BOOTS", flag="any") == set(seeded.flagged)


def test_queue_pages_through_outputs(seeded: Seeded, client: TestClient) -> None:
    _name(client)
    first = client.get("/", params={"per_page": 3}).text
    assert first.count('class="item"') == 3 and "Showing 1–3 of 8" in first
    assert 'data-offset="3"' in first
    last = client.get("/", params={"per_page": 3, "offset": 6}).text
    assert last.count('class="item"') == 2 and "next-page" not in last
    api = client.get("/api/outputs", params={"limit": 3, "offset": 3}).json()
    assert len(api["items"]) == 3 and api["total"] == 8


def test_export_csv_and_xlsx_keep_text_as_text(seeded: Seeded, client: TestClient) -> None:
    from openpyxl import load_workbook

    _name(client)
    job_csv = client.get("/api/export", params={"format": "csv", "job_id": seeded.job_id})
    assert (
        job_csv.headers["content-disposition"]
        == 'attachment; filename="contentgen-job-job0001.csv"'
    )
    assert {r["output_id"] for r in csv.DictReader(io.StringIO(job_csv.text))} == set(seeded.runner)
    xlsx = client.get("/api/export", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content))["outputs"]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == list(COLUMNS) and len(rows) == 9
    names = {r[0].value: r[COLUMNS.index("product_name")].value for r in rows[1:]}
    assert {names[oid] for oid in seeded.runner} == {"Trail Runner"}
    text_cell = next(r[COLUMNS.index("text")] for r in rows if r[0].value == seeded.formula)
    assert text_cell.value == '\'=HYPERLINK("http://evil.example")' and text_cell.data_type == "s"
    bad = client.get("/api/export", params={"format": "pdf"})
    assert bad.status_code == 422 and "'xlsx'" in bad.json()["detail"]


def test_job_progress_page_and_api(seeded: Seeded, client: TestClient) -> None:
    _name(client)
    job = client.get(f"/api/jobs/{seeded.job_id}").json()
    assert (job["total"], job["processed"], job["percent"], job["outputs"]) == (4, 3, 75.0, 3)
    assert (
        job["items"] == {"done": 2, "failed": 1, "pending": 1}
        and job["errors"][0]["error"] == "price missing"
    )
    html = client.get(f"/jobs/{seeded.job_id}").text
    assert "spring catalogue" in html and f"format=xlsx&amp;job_id={seeded.job_id}" in html
    assert 'value="75.0"' in html and "price missing" in html
    assert client.get("/api/jobs/spring catalogue").json()["id"] == seeded.job_id
    missing = client.get("/api/jobs/nope")
    assert missing.status_code == 404 and "'spring catalogue'" in missing.json()["detail"]


def test_report_page_and_openapi_document(seeded: Seeded, client: TestClient) -> None:
    _name(client)
    html = client.get("/report").text
    for heading in ("By template", "By generator", "By channel"):
        assert heading in html
    assert "marketing/search_ad" in html and "testing:noise" in html
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/outputs",
        "/api/outputs/{output_id}",
        "/api/outputs/{output_id}/ratings",
        "/api/outputs/{output_id}/edit",
        "/api/compare",
        "/api/export",
        "/api/jobs/{job_id}",
    ):
        assert path in paths, path
    assert "/outputs/{output_id}" not in paths


def test_full_feedback_report_is_linked_and_sandboxed(seeded: Seeded, client: TestClient) -> None:
    headers = _name(client)
    client.post(f"/api/outputs/{seeded.runner[0]}/ratings", json={"score": 5}, headers=headers)
    assert 'href="/report/full"' in client.get("/report").text
    full = client.get("/report/full")
    assert full.status_code == 200 and "contentgen feedback report" in full.text
    csp = full.headers["content-security-policy"]
    assert csp.startswith("sandbox") and "script" not in csp and "frame-ancestors 'none'" in csp


# -- the review workflow (issue 19) -----------------------------------------------------------------


def test_the_queue_shows_the_facts_beside_each_output_and_checks_in_words(
    seeded: Seeded, client: TestClient
) -> None:
    _name(client)
    html = client.get("/", params={"job_id": seeded.job_id}).text
    assert html.count('class="item"') == 3 and html.count('aria-label="Product facts"') == 3
    assert html.count('<strong class="product-name">Trail Runner</strong>') == 3
    assert html.count('class="fact used"') == 3 and html.count("✓ in copy") == 3
    assert html.count("✓ Nothing blocks publishing") == 3
    review = client.get(f"/api/outputs/{seeded.flagged[0]}/review").json()
    assert review["context"]["product_name"] == "Bad Boots" and review["passing"] is True
    assert review["findings"]["blocking"] == []
    assert [f["sentence"] for f in review["findings"]["advisory"]] == [
        "Check “no_bad_words” did not pass"
    ]
    compare = client.get("/compare", params={"job_id": seeded.job_id}).text
    assert compare.count('aria-label="Product facts"') == 1, "one panel for one request's pair"


def test_an_edit_is_checked_before_it_is_saved_and_needs_a_recorded_override(
    seeded: Seeded, client: TestClient
) -> None:
    seeded.engine.evaluators.extend(default_evaluators(KIT, embeddings=False))
    headers = _name(client)
    oid = seeded.runner[0]
    refused = client.post(f"/api/outputs/{oid}/edit", json={"edited_text": BAD_AD}, headers=headers)
    assert refused.status_code == 422 and "override_reason" in refused.json()["detail"]
    blocking = [f["sentence"] for f in refused.json()["findings"]["blocking"]]
    assert "Uses a phrase the brand kit bans: “Best in the world” (banned: best in the world)" in (
        blocking
    )
    assert "Uses a phrase the brand kit bans: “FREE” (banned: free)" in blocking
    assert "Mentions a price that is not in the product facts: 9.99 EUR" in blocking
    assert seeded.engine.ratings(oid) == []
    dry = client.post(
        f"/api/outputs/{oid}/edit/check", json={"edited_text": GOOD_AD}, headers=headers
    )
    assert dry.json()["passed"] is True and seeded.engine.ratings(oid) == []

    page = client.post(
        f"/outputs/{oid}/edit",
        data={"edited_text": BAD_AD, "csrf_token": headers["X-CSRF-Token"]},
        follow_redirects=False,
    )
    assert page.status_code == 422 and "The edit was not saved" in page.text
    assert 'name="override_reason"' in page.text and "9.99 EUR" in page.text

    saved = client.post(
        f"/api/outputs/{oid}/edit",
        json={"edited_text": BAD_AD, "override_reason": "legal signed off the claim"},
        headers=headers,
    )
    assert (
        saved.status_code == 201 and saved.json()["override_reason"] == "legal signed off the claim"
    )
    review = client.get(f"/api/outputs/{oid}/review").json()
    assert review["override_reason"] == "legal signed off the claim" and review["passing"] is True
    assert review["final_text"] == BAD_AD
    assert {p["op"] for p in review["diff"]} >= {"del", "ins"}
    html = client.get(f"/outputs/{oid}").text
    assert "Edit compared with the original" in html and "<ins>" in html
    assert 'overridden: <span class="override-reason">legal signed off the claim' in html


def test_statuses_one_or_bulk_with_undo_through_the_api_and_the_forms(
    seeded: Seeded, client: TestClient
) -> None:
    headers = _name(client)
    a, b, c = seeded.runner
    one = client.post(f"/api/outputs/{a}/status", json={"status": "approved"}, headers=headers)
    assert one.status_code == 200 and one.json()["changed"] == [a]
    wrong = client.post(f"/api/outputs/{a}/status", json={"status": "shipped"}, headers=headers)
    assert wrong.status_code == 422 and "'published'" in wrong.json()["detail"]
    early = client.post(f"/api/outputs/{b}/status", json={"status": "published"}, headers=headers)
    assert early.status_code == 422 and "approve it before" in early.json()["detail"]
    bulk = client.post(
        "/api/review/status", json={"output_ids": [b, c], "status": "rejected"}, headers=headers
    )
    assert sorted(bulk.json()["changed"]) == sorted([b, c])

    def statuses() -> dict[str, str | None]:
        items = client.get("/api/outputs", params={"job_id": seeded.job_id}).json()["items"]
        return {i["id"]: i["review_status"] for i in items}

    assert statuses() == {a: "approved", b: "rejected", c: "rejected"}
    assert client.get("/api/review/last-action").json()["count"] == 2
    undo = client.post("/api/review/undo", headers=headers).json()
    assert undo["undone"] and sorted(undo["output_ids"]) == sorted([b, c])
    assert statuses() == {a: "approved", b: "draft", c: "draft"}

    csrf = headers["X-CSRF-Token"]
    assert (
        client.post("/review/bulk", data={"action": "rejected", "output_ids": [b]}).status_code
        == 403
    )
    form = client.post(
        "/review/bulk",
        data={"action": "approve_passing", "job_id": seeded.job_id, "csrf_token": csrf,
              "next": "//evil.example/"},
        follow_redirects=False,
    )  # fmt: skip
    assert form.status_code == 303 and form.headers["location"] == "/"
    assert statuses() == {a: "approved", b: "approved", c: "approved"}
    assert "2 output(s) now approved." in client.get("/").text
    client.post("/review/undo", data={"csrf_token": csrf}, follow_redirects=False)
    assert statuses() == {a: "approved", b: "draft", c: "draft"}
    rated = client.post(f"/api/outputs/{b}/ratings", json={"score": 2}, headers=headers)
    assert rated.status_code == 201 and len(seeded.engine.ratings(b)) == 1
    client.post("/api/review/undo", headers=headers)
    assert seeded.engine.ratings(b) == [], "undo removes the rating just made"
    approved = client.get("/", params={"review": "approved", "job_id": seeded.job_id}).text
    assert approved.count('class="item"') == 1 and f'id="o-{a}"' in approved


def test_compare_offers_a_tie_and_never_two_identical_texts(
    seeded: Seeded, client: TestClient
) -> None:
    headers = _name(client)
    texts = {oid: seeded.engine.get_output(oid).text for oid in seeded.runner}
    same = [oid for oid in seeded.runner if list(texts.values()).count(texts[oid]) == 2]
    assert len(same) == 2, "two requests of the job wrote the same text at seed 1"
    for _ in range(15):
        html = client.get("/compare", params={"job_id": seeded.job_id}).text
        shown = set(re.findall(r'name="preferred" value="([0-9a-f]{32})"', html))
        assert len(shown) == 2 and shown != set(same)
        assert 'name="preferred" value="tie"' in html
    refused = client.post(
        "/api/compare", json={"first": same[0], "second": same[1], "preferred": same[0]},
        headers=headers,
    )  # fmt: skip
    assert refused.status_code == 422 and "same text" in refused.json()["detail"]
    tie = client.post(
        "/api/compare", json={"first": same[0], "second": same[1], "preferred": "tie"},
        headers=headers,
    )  # fmt: skip
    assert tie.status_code == 201 and tie.json()["preferred_output_id"] is None
    form = client.post(
        "/compare",
        data={"first": same[0], "second": same[1], "preferred": "tie",
              "csrf_token": headers["X-CSRF-Token"]},
    )  # fmt: skip
    assert "Tie saved." in form.text
    assert [r.preferred_output_id for r in seeded.engine.store.ratings(kind="preference")] == [
        None,
        None,
    ]
    assert "tie" in client.get(f"/outputs/{same[0]}").text


def test_job_exports_of_approved_copy_carry_the_product_and_sku(
    seeded: Seeded, client: TestClient
) -> None:
    headers = _name(client)
    a = seeded.runner[0]
    client.post(f"/api/outputs/{a}/status", json={"status": "approved"}, headers=headers)
    html = client.get(f"/jobs/{seeded.job_id}").text
    assert "approved: 1" in html and "draft: 2" in html and 'value="approve_passing"' in html
    assert f"job_id={seeded.job_id}&amp;approved=true" in html
    export = client.get(
        "/api/export", params={"format": "csv", "job_id": seeded.job_id, "approved": "true"}
    )
    assert 'filename="contentgen-job-job0001-approved.csv"' in export.headers["content-disposition"]
    (row,) = csv.DictReader(io.StringIO(export.text))
    assert (row["output_id"], row["product_name"], row["review_status"]) == (
        a,
        "Trail Runner",
        "approved",
    )
    assert '"name": "Trail Runner"' in row["facts"]


ANA_TOKEN = "ana-personal-token-0123456789"
BEN_TOKEN = "ben-personal-token-9876543210"


def _login(client: TestClient, token: str) -> dict[str, str]:
    csrf = _csrf_from_page(client.get("/login").text)
    signed = client.post(
        "/login", data={"token": token, "csrf_token": csrf}, follow_redirects=False
    )
    assert signed.status_code == 303
    return {"X-CSRF-Token": client.get("/api/session").json()["csrf_token"]}


def test_personal_tokens_sign_reviewers_in_under_their_own_name(seeded: Seeded) -> None:
    people = {"ana": ANA_TOKEN, "ben": BEN_TOKEN}
    with _client(seeded.engine, token=TOKEN, reviewers=people) as client:
        headers = _login(client, ANA_TOKEN)
        assert client.get("/api/session").json()["rater"] == "ana"
        renamed = client.post("/api/session", json={"rater": "mallory"}, headers=headers)
        assert renamed.status_code == 422 and "signed in as ana" in renamed.json()["detail"]
        assert "signed in as <strong>ana</strong>" in client.get("/whoami").text
        oid = seeded.runner[0]
        client.post(f"/api/outputs/{oid}/ratings", json={"score": 4, "rater": "x"}, headers=headers)
        assert [r.rater for r in seeded.engine.ratings(oid)] == ["ana"], "the token names the rater"
    with _client(seeded.engine, token=TOKEN, reviewers=people) as shared:
        headers = _login(shared, TOKEN)
        taken = shared.post("/api/session", json={"rater": "Ben"}, headers=headers)
        assert taken.status_code == 422 and "personal access token" in taken.json()["detail"]
        as_ben = shared.post(
            f"/api/outputs/{oid}/ratings", json={"score": 1, "rater": "ben"}, headers=headers
        )
        assert as_ben.status_code == 422, "the shared token cannot rate as a token holder"
        bearer = {"Authorization": f"Bearer {BEN_TOKEN}"}
        rated = shared.post(f"/api/outputs/{oid}/ratings", json={"thumb": "up"}, headers=bearer)
        assert rated.status_code == 201 and rated.json()[0]["rater"] == "ben"
    secret = "s" * 32
    with _client(seeded.engine, token=TOKEN, reviewers=people, secret_key=secret) as first:
        _login(first, ANA_TOKEN)
        cookies = dict(first.cookies)
    for tokens, status in ((people, 200), ({"ana": "a-new-token-for-ana-0000"}, 401)):
        with _client(seeded.engine, token=TOKEN, reviewers=tokens, secret_key=secret) as again:
            again.cookies.update(cookies)
            assert again.get("/api/session").status_code == status, "a new token signs ana out"


def test_personal_tokens_are_checked_at_start(engine: Engine) -> None:
    from contentgen.web.identity import parse_reviewers

    assert parse_reviewers(f"ana={ANA_TOKEN},\n ben = {BEN_TOKEN}") == {
        "ana": ANA_TOKEN,
        "ben": BEN_TOKEN,
    }
    for bad, problem in (
        ("ana=short", "at least 16"),
        (f"ana={ANA_TOKEN},ana={BEN_TOKEN}", "listed twice"),
        (f"ana={ANA_TOKEN},ben={ANA_TOKEN}", "share a token"),
        (ANA_TOKEN, "name=token"),
    ):
        with pytest.raises(ConfigError, match=problem):
            parse_reviewers(bad)
    with pytest.raises(ConfigError, match="must differ"):
        create_app(engine, token=ANA_TOKEN, reviewers={"ana": ANA_TOKEN})


def test_rubric_scores_both_bad_assignments_and_agreement_through_the_api(
    seeded: Seeded, client: TestClient
) -> None:
    headers = _name(client, "ana")
    a, b = _distinct_pair(seeded)
    rubric = client.get(f"/api/outputs/{a}/rubric").json()
    assert rubric["id"] == "task:marketing" and rubric["my_scores"] == {}
    assert [c["name"] for c in rubric["criteria"]][:2] == ["accurate", "on_brand"]
    scored = client.post(
        f"/api/outputs/{a}/rubric", json={"scores": {"accurate": 2, "on_brand": 3}}, headers=headers
    )
    assert scored.status_code == 201 and scored.json()["overall"] == 3
    assert client.get(f"/api/outputs/{a}/rubric").json()["my_scores"] == {
        "accurate": 2,
        "on_brand": 3,
    }
    bad = client.post(f"/api/outputs/{a}/rubric", json={"scores": {"wit": 3}}, headers=headers)
    assert bad.status_code == 422 and "fits_channel" in bad.json()["choices"]
    page = client.get(f"/outputs/{a}").text
    assert "Score by rubric: Marketing copy" in page and "accurate 2, on brand 3" in page
    assert "<strong>Accurate</strong> first" in page, "the guideline is rendered Markdown"

    both = client.post(
        "/api/compare", json={"first": a, "second": b, "preferred": "both_bad"}, headers=headers
    )
    assert both.status_code == 201 and both.json()["preferred_output_id"] is None
    thumbs = [(r.output_id, r.thumb) for r in seeded.engine.store.ratings(kind="thumb")]
    assert sorted(thumbs) == sorted([(a, False), (b, False)])
    assert "both bad" in client.get(f"/outputs/{a}").text

    assigned = client.post(
        "/api/assignments",
        json={"reviewers": ["ana", "ben"], "k": 2, "job_id": seeded.job_id},
        headers=headers,
    )
    assert assigned.status_code == 201
    assert assigned.json()["added"] == {"ana": 3, "ben": 3}
    mine = client.get("/api/outputs", params={"assigned": "ben"}).json()
    assert {o["id"] for o in mine["items"]} == set(seeded.runner)
    team = client.get("/api/team").json()
    assert {r["reviewer"]: (r["assigned"], r["done"]) for r in team["reviewers"]} == {
        "ana": (3, 2),  # the rubric score, and the thumbs down of "both bad"
        "ben": (3, 0),
    }
    _name(client, "ben")
    client.post(
        f"/api/outputs/{a}/rubric", json={"scores": {"accurate": 2, "on_brand": 5}}, headers=headers
    )
    rows = {r["criterion"]: r for r in client.get("/api/agreement").json()}
    assert rows["accurate"]["units"] == 1 and rows["accurate"]["raters"] == 2
    assert rows["accurate"]["alpha"] is None and rows["accurate"]["note"]
    report = client.get("/report").text
    assert "Agreement between reviewers" in report and "marketing/search_ad" in report
    assert "Open ben's queue" in client.get("/team").text
    assert "channel:sms" in client.get("/rubrics").text


def test_the_team_form_assigns_the_outputs_it_narrows_to(
    seeded: Seeded, client: TestClient
) -> None:
    headers = _name(client, "lead")
    form = client.post(
        "/team/assign",
        data={"reviewers": ["ana", "ben"], "others": "chloe", "k": "1", "job_id": seeded.job_id,
              "csrf_token": headers["X-CSRF-Token"]},
    )  # fmt: skip
    assert form.status_code == 200 and "Assigned 3 output(s), 1 reviewer(s) each" in form.text
    too_many = client.post(
        "/team/assign",
        data={"reviewers": ["ana"], "k": "2", "csrf_token": headers["X-CSRF-Token"]},
    )
    assert too_many.status_code == 422 and "1 to 1 of the 1 reviewer" in too_many.text
    queue = client.get("/", params={"assigned": "chloe"}).text
    assert "Queue of chloe" in queue and queue.count('class="item"') == 1
