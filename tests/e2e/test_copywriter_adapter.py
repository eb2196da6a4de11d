"""The shipped copywriter LoRA on the real SmolLM2: the default, merged, fewer defects than base."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from contentgen.generators.transformers_gen import TransformersGenerator
from contentgen.modelfiles.adapters import adapter_sha256, shipped_dir

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_adapter_is_small_and_documents_its_training() -> None:
    folder = shipped_dir("copywriter")
    weights = folder / "adapter_model.safetensors"
    # r=16 on every projection in float16 is 9.4 MiB: small next to the 98 MB model it tunes.
    assert weights.stat().st_size < 12 * 2**20
    card = json.loads((folder / "contentgen_tune.json").read_text())
    assert card["command"].startswith("contentgen tune --method sft")
    assert len(card["data"]["sha256"]) == 64
    assert card["evaluation"]["tuned"]["loss"] < card["evaluation"]["base"]["loss"]
    readme = (folder / "README.md").read_text()
    assert card["command"] in readme and "Held-out evaluation" in readme


def _sample_script() -> ModuleType:
    """scripts/copywriter_sample.py, the evaluation the README's figures come from."""
    path = ROOT / "scripts" / "copywriter_sample.py"
    spec = importlib.util.spec_from_file_location("copywriter_sample", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_default_generator_runs_the_copywriter_merged() -> None:
    generator = TransformersGenerator(torch_threads=1)
    generator.load()
    info = generator.model_info()
    digest = adapter_sha256(shipped_dir("copywriter"))
    assert info.extra["adapter"] == "copywriter" and info.extra["adapter_sha256"] == digest
    assert (info.revision or "").endswith(f"+ adapter copywriter@{digest[:12]}")
    assert info.extra["decoder"] == "contentgen lean llama"  # runs the merged weights
    base = TransformersGenerator(torch_threads=1, adapter="none")
    base.load()
    assert "adapter" not in base.model_info().extra  # the base model is one setting away


def test_the_copywriter_writes_fewer_defects_than_the_base_model_on_held_out_briefs(
    tmp_path: Path,
) -> None:
    from contentgen.datasets.copywriting.build import brief_rows, split_briefs

    sample = _sample_script()
    # The default corpus's briefs: the held-out split the adapter never saw (no copy written).
    rows = brief_rows(*split_briefs())
    (tmp_path / "briefs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    requests = sample.heldout_requests(tmp_path, 3)  # 3 held-out briefs x 6 channels
    assert len(requests) == 18
    base = sample.run_arm("none", requests, 100, 1)
    tuned = sample.run_arm("auto", requests, 100, 1)
    clean_base = sum(not r["defects"] for r in base)
    clean_tuned = sum(not r["defects"] for r in tuned)
    # On 10 briefs (README) the counts were 17/60 base and 36/60 tuned.
    assert clean_tuned > clean_base, (clean_base, clean_tuned)
