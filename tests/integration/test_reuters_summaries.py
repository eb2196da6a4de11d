"""The Reuters-21578 sample from Debian's r-cran-tm, and the extractive summariser on all of it."""

from __future__ import annotations

import pytest

from contentgen.datasets.reuters import Article, load_reuters, parse_article
from contentgen.errors import DatasetNotAvailableError
from contentgen.generators.extractive import summarize
from contentgen.generators.sentences import split_sentences
from tests.conftest import SHARED_CACHE


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    try:
        return load_reuters(SHARED_CACHE)  # apt-get download + dpkg-deb -x, once per cache
    except DatasetNotAvailableError as exc:
        pytest.fail(
            f"Reuters sample unavailable (Debian r-cran-tm is downloaded on first use): {exc}"
        )


def test_all_seventy_articles_have_a_headline_and_a_body(articles: list[Article]) -> None:
    assert len(articles) == 70
    assert {a.topic for a in articles} == {"acq", "crude"}
    assert all(a.title and len(a.body.split()) > 20 for a in articles)
    assert (SHARED_CACHE / "datasets" / "r-cran-tm" / "acq").is_dir()


def test_every_brief_summary_is_whole_article_sentences_within_target(
    articles: list[Article],
) -> None:
    for article in articles:
        summary = summarize(article.body, target_words=40)
        sentences = [s.text for s in split_sentences(article.body)]
        assert summary.words <= 40
        whole = " ".join(sentences[i] for i in summary.sentences)
        # Whole sentences, or (when no sentence fits) one sentence's opening words.
        assert summary.text == whole or (
            len(summary.sentences) == 1 and set(summary.text.split()) <= set(whole.split())
        )


def test_extractive_headlines_beat_the_first_twelve_words(articles: list[Article]) -> None:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)

    def mean_f1(outputs: list[str]) -> float:
        pairs = zip(articles, outputs, strict=True)
        return sum(scorer.score(a.title, o)["rouge1"].fmeasure for a, o in pairs) / len(articles)

    ours = mean_f1([summarize(a.body, target_words=12, style="headline").text for a in articles])
    lead = mean_f1([" ".join(a.body.split()[:12]) for a in articles])
    assert ours >= lead


def test_a_malformed_document_is_read_leniently() -> None:
    text = "<REUTERS NEWID='9'><TITLE>OIL &amp; GAS</TITLE><BODY>Prices fell. Reuter</BODY>"
    article = parse_article(text, "crude", "9")
    assert article == Article(id="9", topic="crude", title="OIL & GAS", body="Prices fell. Reuter")
    assert parse_article("<REUTERS><TITLE>ONLY A TITLE</TITLE></REUTERS>", "acq", "1") is None
