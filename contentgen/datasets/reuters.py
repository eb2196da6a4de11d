"""The Reuters-21578 sample articles (acq + crude, with headlines) shipped in Debian's r-cran-tm.

The .deb is downloaded with `apt-get download` and unpacked with `dpkg-deb -x` into the cache;
the package itself (which pulls in R) is never installed.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from contentgen.errors import DatasetNotAvailableError
from contentgen.modelfiles.atomic import build_atomically
from contentgen.modelfiles.resolve import cache_root

PACKAGE = "r-cran-tm"
TEXTS = Path("usr/lib/R/site-library/tm/texts")
TOPICS: tuple[str, ...] = ("acq", "crude")


@dataclass(frozen=True)
class Article:
    """One news article with its headline."""

    id: str
    topic: str
    title: str
    body: str


def fetch_reuters(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding `acq/` and `crude/` XML files, downloading the .deb once if needed."""
    target = cache_root(cache_dir) / "datasets" / PACKAGE

    def extract(out: Path) -> None:
        for tool in ("apt-get", "dpkg-deb"):
            if shutil.which(tool) is None:
                raise DatasetNotAvailableError(
                    f"{tool} is not available; the Reuters sample comes from the Debian package "
                    f"{PACKAGE} (unpack its tm/texts folder into {target} by hand)"
                )
        with tempfile.TemporaryDirectory() as work:
            _run(["apt-get", "download", PACKAGE], cwd=work)
            debs = sorted(Path(work).glob(f"{PACKAGE}_*.deb"))
            if not debs:
                raise DatasetNotAvailableError(f"apt-get download {PACKAGE} produced no .deb file")
            _run(["dpkg-deb", "-x", str(debs[-1]), str(Path(work) / "root")])
            texts = Path(work) / "root" / TEXTS
            for topic in TOPICS:
                shutil.copytree(texts / topic, out / topic)

    return build_atomically(target, extract, stamp=PACKAGE)


def load_reuters(cache_dir: str | os.PathLike[str] | None = None) -> list[Article]:
    """All sample articles that have a title and a body, sorted by topic then id."""
    root = fetch_reuters(cache_dir)
    articles = []
    for topic in TOPICS:
        for path in sorted(
            (root / topic).glob("*.xml"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0
        ):
            article = parse_article(
                path.read_text(encoding="utf-8", errors="replace"), topic, path.stem
            )
            if article is not None:
                articles.append(article)
    return articles


def parse_article(xml_text: str, topic: str, fallback_id: str) -> Article | None:
    """One Reuters XML document as an Article, or None when it lacks a title or a body."""
    try:
        node = ET.fromstring(xml_text)
        title = node.findtext(".//TITLE") or ""
        body = node.findtext(".//BODY") or ""
        article_id = node.get("NEWID") or fallback_id
    except ET.ParseError:
        title = _tag(xml_text, "TITLE")
        body = _tag(xml_text, "BODY")
        article_id = fallback_id
    title, body = " ".join(title.split()), body.strip()
    if not title or not body:
        return None
    return Article(id=article_id, topic=topic, title=title, body=body)


def _tag(text: str, name: str) -> str:
    match = re.search(rf"<{name}>(.*?)</{name}>", text, flags=re.DOTALL)
    return html.unescape(match.group(1)) if match else ""


def _run(command: list[str], cwd: str | None = None) -> None:
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True, timeout=300)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = getattr(exc, "stderr", "") or ""
        raise DatasetNotAvailableError(
            f"{' '.join(command)} failed: {detail.strip()[-300:] or exc}; "
            f"run `apt-get update` if the package index is missing"
        ) from exc
