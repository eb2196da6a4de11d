"""Reading reference documents from files: plain text, Markdown, CSV and JSONL (tuning corpora too).

- `.txt`, `.md` and any other text file: one document per paragraph (blank-line separated);
- `.csv`: one document per row, from its `text` column;
- `.jsonl`: one document per line, from `text`, else a chat's assistant turns (`messages`, what
  `contentgen tune` trains on), else `answer`/`completion`/`output`/`chosen`, else the values of
  `fields` (a channel's headline, description, ...).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from contentgen.checks.copy_index import ReferenceDoc
from contentgen.errors import ValidationError

TEXT_KEYS = ("text", "answer", "completion", "output", "chosen")
MIN_WORDS = 3  # shorter paragraphs ("Shop now.") are never evidence of copying


def read_documents(corpus: str, path: Path) -> list[ReferenceDoc]:
    """The reference documents in one file (a clear error names the file and what is wrong)."""
    if not path.is_file():
        raise ValidationError("files", f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        found = list(_jsonl(path))
    elif suffix == ".csv":
        found = list(_csv(path))
    else:
        found = list(_paragraphs(path))
    return [
        ReferenceDoc(corpus, doc_id, text)
        for doc_id, text in found
        if len(text.split()) >= MIN_WORDS
    ]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("files", f"{path} is not UTF-8 text ({exc.reason})") from None


def _paragraphs(path: Path) -> Iterator[tuple[str, str]]:
    blocks = _read_text(path).replace("\r\n", "\n").split("\n\n")
    for number, block in enumerate(blocks, 1):
        text = block.strip()
        if text:
            yield f"{path.name}#{number}", text


def _csv(path: Path) -> Iterator[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        if "text" not in columns:
            raise ValidationError(
                "files", f"{path} has no 'text' column (columns: {', '.join(columns) or 'none'})"
            )
        id_column = "id" if "id" in columns else None
        for number, row in enumerate(reader, 2):
            text = (row.get("text") or "").strip()
            if text:
                yield (row.get(id_column) if id_column else None) or f"{path.name}:{number}", text


def _jsonl(path: Path) -> Iterator[tuple[str, str]]:
    for number, line in enumerate(_read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ValidationError("files", f"{path}:{number} is not a JSON line: {exc}") from None
        if not isinstance(row, Mapping):
            raise ValidationError("files", f"{path}:{number} must be a JSON object")
        text = row_text(row)
        if text:
            yield str(row.get("id") or f"{path.name}:{number}"), text


def row_text(row: Mapping[str, Any]) -> str:
    """The text a JSON record holds, by the rules of this module ('' when none)."""
    for key in TEXT_KEYS:
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    messages = row.get("messages")
    if isinstance(messages, list):
        turns = [
            str(m.get("content", ""))
            for m in messages
            if isinstance(m, Mapping) and m.get("role") == "assistant"
        ]
        return "\n\n".join(t for t in turns if t.strip())
    fields = row.get("fields")
    if isinstance(fields, Mapping):
        return "\n".join(str(v) for v in fields.values() if isinstance(v, str))
    return ""
