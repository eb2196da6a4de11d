"""The model card of a tuning run: provenance as JSON and as a README a person reads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

GENERATOR_ID = "builtin:transformers"
CARD_JSON = "contentgen_tune.json"
# The answers the model was trained to write, one JSON line each, kept with the weights: what the
# copying check compares outputs with (the training file itself may hold far more rows, or be gone).
TRAINED_COPY = "training_copy.jsonl"


def data_sha256(files: Sequence[Path], rows: Sequence[Mapping[str, Any]]) -> str:
    """The hash of the training data: the files' bytes, else the rows as canonical JSON."""
    digest = hashlib.sha256()
    if files:
        for file in files:
            digest.update(file.read_bytes())
    else:
        for row in rows:
            digest.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def write_trained_copy(
    out: Path, rows: Sequence[Mapping[str, Any]], earlier: Sequence[Path] = ()
) -> int:
    """Write each training row's answer to `out`/TRAINED_COPY, after the answers kept in the
    `earlier` folders (the adapter or tuned model the run started from: a model can repeat what
    any of its runs taught it); the number of texts written."""
    from contentgen.checks.reference_files import row_text

    lines: dict[str, None] = {}
    for folder in earlier:
        kept = folder / TRAINED_COPY
        if kept.is_file():
            lines.update(dict.fromkeys(kept.read_text(encoding="utf-8").splitlines()))
    for number, row in enumerate(rows, 1):
        text = row_text(row)
        if text:
            doc_id = str(row.get("id") or f"row-{number}")
            lines[json.dumps({"id": doc_id, "text": text}, ensure_ascii=False)] = None
    (out / TRAINED_COPY).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return len(lines)


def package_versions() -> dict[str, str]:
    """Versions of the packages that shaped the weights."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("contentgen", "torch", "transformers", "trl", "peft"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def _metrics_lines(evaluation: Mapping[str, Any]) -> list[str]:
    if not evaluation:
        return []
    lines = ["", "## Held-out evaluation", "", "| model | answer-token loss | perplexity |"]
    lines.append("|---|---|---|")
    for key, label in (("base", "base"), ("start", "start (the adapter trained further)"),
                       ("tuned", "tuned")):  # fmt: skip
        if key in evaluation:
            m = evaluation[key]
            lines.append(f"| {label} | {m['loss']:.4f} | {m['perplexity']:.2f} |")
    tuned = evaluation.get("tuned", {})
    if tuned:
        lines += ["", f"{tuned['examples']} held-out rows, {tuned['tokens']} answer tokens."]
    return lines


def _speed_lines(training: Mapping[str, Any]) -> list[str]:
    speed = training.get("speed")
    if not speed:
        return []
    return [
        f"- speed: {speed['tokens_per_cpu_s']:.1f} trained tokens per CPU-second "
        f"({speed['tokens']} tokens, {speed['cpu_s']:.0f} CPU-s, {speed['wall_s']:.0f} s wall, "
        f"{training.get('threads', 1)} thread(s)) on {training.get('cpu', 'unknown CPU')}",
    ]


def card_markdown(card: Mapping[str, Any]) -> str:
    """The README.md of a tuned model or adapter folder."""
    data, training, layout = card["data"], card["training"], card["layout"]
    sources = ", ".join(f"{k}: {v}" for k, v in data["sources"].items())
    what = (
        "The LoRA adapter alone (safetensors), merged into the base weights at load time."
        if layout == "adapter"
        else "Merged into full weights; the adapter alone is in `adapter/`."
    )
    use = (
        f'`[generators."{GENERATOR_ID}"] adapter = "<this directory>"`'
        if layout == "adapter"
        else f'`[generators."{GENERATOR_ID}"] model = "<this directory>"`'
    )
    lines = [
        "---",
        f"base_model: {card['base_model']['model_id']}",
        "library_name: peft" if layout == "adapter" else "library_name: transformers",
        f"tags: [contentgen, lora, {card['method']}]",
        "---",
        f"# {card['name']}",
        "",
        f"LoRA {card['method'].upper()} fine-tune of `{card['base_model']['model_id']}` "
        f"(revision `{card['base_model']['revision']}`). {what}",
        "",
    ]
    if card.get("command"):
        lines += ["Trained with:", "", "```", card["command"], "```", ""]
    lines += [
        f"- trained: {card['created_at']} with {training['trainer']} "
        f"({training['steps']} steps, {training.get('examples', '?')} examples seen, "
        f"final train loss {training['train_loss']:.4f})"
        + (
            f", continuing adapter {training['continued_from']}"
            if training.get("continued_from")
            else ""
        ),
        f"- data: {data['rows']} rows ({sources or 'from file'}); "
        f"files {', '.join(data['files']) or '-'}; sha256 `{data['sha256']}`",
        *(
            [f"- the answers trained on: `{data['trained_copy']}` (the copying check's reference)"]
            if data.get("trained_copy")
            else []
        ),
        *_speed_lines(training),
        f"- hyperparameters: {json.dumps(card['hyperparameters'])}",
        f"- use: {use}",
        *_metrics_lines(card.get("evaluation", {})),
        "",
    ]
    return "\n".join(lines)
