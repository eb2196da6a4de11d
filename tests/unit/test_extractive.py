"""The extractive summariser: sentence splitting, determinism, faithfulness, length and styles."""

from __future__ import annotations

import re

import pytest

from contentgen.errors import ValidationError
from contentgen.generators.extractive import ExtractiveSummarizer, summarize
from contentgen.generators.sentences import split_sentences
from contentgen.testing import GeneratorContract
from contentgen.types import Prompt, Task

ARTICLE = """NEW YORK, March 2 - Acme Inc. said it agreed to buy Beta Corp. for 50 mln dlrs in cash,
its largest acquisition since 1985.
    The U.S. company, led by Dr. John F. Smith, expects the deal to close by Jan. 5 after
regulators review it. Shares of Beta rose 3.5 pct to 12.25 dlrs on the news.
    Acme said the purchase of Beta would double its output of industrial valves.
Analysts said the price was fair. "It is a sensible deal," said one analyst at No. 1 broker
Smith Barney. The weather in New York was mild.
    Beta Corp makes valves and pumps for the oil industry and employs 1,200 people.
 Reuter
"""


def article_sentences() -> list[str]:
    return [s.text for s in split_sentences(ARTICLE)]


def test_sentences_survive_abbreviations_initials_and_numbers() -> None:
    sentences = article_sentences()
    assert sentences[0].startswith("NEW YORK, March 2 - Acme Inc. said it agreed to buy Beta Corp.")
    assert sentences[0].endswith("since 1985.")
    assert sentences[1] == (
        "The U.S. company, led by Dr. John F. Smith, expects the deal to close by Jan. 5 "
        "after regulators review it."
    )
    assert "Shares of Beta rose 3.5 pct to 12.25 dlrs on the news." in sentences
    assert '"It is a sensible deal," said one analyst at No. 1 broker Smith Barney.' in sentences
    assert not any("Reuter" in s for s in sentences)


def test_paragraph_breaks_end_a_sentence_without_punctuation() -> None:
    text = "First paragraph has no full stop\n\nSecond one does. And a third sentence."
    assert [s.text for s in split_sentences(text)] == [
        "First paragraph has no full stop",
        "Second one does.",
        "And a third sentence.",
    ]


def test_same_input_same_summary() -> None:
    runs = {summarize(ARTICLE, title="Acme to buy Beta", target_words=40).text for _ in range(5)}
    assert len(runs) == 1


@pytest.mark.parametrize("target", [12, 25, 40, 80])
def test_brief_summary_is_made_of_article_sentences_within_the_target(target: int) -> None:
    summary = summarize(ARTICLE, target_words=target)
    sentences = article_sentences()
    picked = [sentences[i] for i in summary.sentences]
    if sum(len(s.split()) for s in picked) <= target:
        assert summary.text == " ".join(picked)  # whole sentences, article order
        assert list(summary.sentences) == sorted(summary.sentences)
    assert summary.words <= target


def test_longer_targets_keep_more_of_the_article() -> None:
    short, long = summarize(ARTICLE, target_words=25), summarize(ARTICLE, target_words=80)
    assert long.words > short.words
    assert short.words <= 25 < long.words <= 80


def test_the_lead_and_title_matter_and_trivia_does_not() -> None:
    summary = summarize(ARTICLE, title="Acme agrees to buy Beta Corp", target_words=40)
    assert 0 in summary.sentences
    assert "weather" not in summary.text


def test_headline_is_a_shortened_prefix_of_one_sentence() -> None:
    headline = summarize(ARTICLE, target_words=40, style="headline").text
    assert 3 <= len(headline.split()) <= 12
    assert not headline.startswith("NEW YORK")
    # every word, in order, from a single article sentence: nothing invented
    pattern = r"\b" + r"\W+(?:\S+\W+)*?".join(re.escape(w) for w in headline.split()) + r"\b"
    assert any(re.search(pattern, s) for s in article_sentences())


def test_headlines_never_cut_inside_a_number() -> None:
    text = (
        "Ropak Corp said it received and accepted about 456,968 common shares and 527,445 "
        "preferred shares of Buckhorn Inc in its tender offer."
    )
    headline = summarize(text, target_words=12, style="headline").text
    numbers = re.findall(r"\d[\d,.]*\d", headline)
    assert numbers and all(n in ("456,968", "527,445") for n in numbers)


def test_bullets_are_one_article_sentence_per_line() -> None:
    bullets = summarize(ARTICLE, target_words=60, style="bullets").text.splitlines()
    assert len(bullets) >= 2
    sentences = article_sentences()
    for line in bullets:
        assert line.startswith("- ") and line[2:] in sentences


def test_generator_reads_the_request_variables_from_prompt_data() -> None:
    gen = ExtractiveSummarizer()
    prompt = Prompt(
        task=Task.NEWS_SUMMARY,
        text="(rendered template)",
        n=2,
        data={"article": ARTICLE, "title": "", "target_words": 30, "style": "bullets"},
    )
    [[first, second]] = gen.generate([prompt])
    assert first.text == second.text and first.text.startswith("- ")
    assert first.meta["words"] <= 30 and first.meta["finish_reason"] == "stop"
    assert gen.model_info().model_id == "extractive-tfidf-lead"


def test_missing_article_and_bad_style_are_clear_errors() -> None:
    gen = ExtractiveSummarizer()
    with pytest.raises(ValidationError, match="article"):
        gen.generate([Prompt(task=Task.NEWS_SUMMARY, text="x", data={})])
    with pytest.raises(ValidationError, match="headline"):
        summarize(ARTICLE, style="poem")


class TestExtractiveContract(GeneratorContract):
    """The plugin-author contract holds for the built-in extractive summariser."""

    @pytest.fixture
    def generator(self) -> ExtractiveSummarizer:
        return ExtractiveSummarizer()
