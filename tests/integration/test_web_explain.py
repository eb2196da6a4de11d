"""The review app's "why this output" panel: HTML page, JSON API, and the output page's link."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from contentgen import MarketingRequest
from contentgen.web import create_app
from tests.integration.test_explain import _engine

XSS = "<script>window.__xss=1</script>"


def _client(engine) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(engine), base_url="http://127.0.0.1")


def test_the_panel_highlights_facts_and_lists_checks_choice_and_model(tmp_path: Path) -> None:
    with _engine(tmp_path) as engine:
        request = MarketingRequest(
            product={"name": f"Trail Runner {XSS}", "colour": "red"}, channel="sms", seed=3
        )
        result = engine.generate(request)
        output = (*result.outputs, *result.rejected)[0]
        client = _client(engine)
        page = client.get(f"/outputs/{output.id}/explain")
        data = client.get(f"/api/outputs/{output.id}/explain")
        missing = client.get("/outputs/nope/explain")
        token = client.get("/api/session").json()["csrf_token"]
        client.post("/api/session", json={"rater": "ana"}, headers={"X-CSRF-Token": token})
        output_page = client.get(f"/outputs/{output.id}")
    assert page.status_code == 200
    html = page.text
    assert 'data-fact="product.name"' in html and "<mark" in html
    assert "no_trail" in html and "banned" in html
    assert "testing:echo" in html and "marketing/sms" in html
    assert XSS not in html and "&lt;script&gt;" in html
    assert data.status_code == 200
    body = data.json()
    assert body["output_id"] == output.id and body["template"]["template_id"] == "marketing/sms"
    assert body["checks"][0]["problems"][0]["evidence"] == "Trail"
    assert missing.status_code == 404
    assert output_page.status_code == 200
    assert f'href="/outputs/{output.id}/explain"' in output_page.text
    assert "Why this output?" in output_page.text
    assert "1 of 1 checks failed (no_trail)" in " ".join(output_page.text.split())
