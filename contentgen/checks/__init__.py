"""Generation-time checks: every gate an output passes before it may be published.

- the contract: `base` (EvalInput, the Evaluator protocol, running them) and `problems` (the
  Problem record every check reports, and the one place a rejection reason is written);
- channel rules: `channels` (fields, limits, parsing, shortening) and `channel` (the gate);
- grounding: `grounding`, `number_claims`, `fact_numbers`, `names`;
- brand: `brandkit` (the kit file and matching) and `brand` (the gate);
- safety and quality: `output_guard`, `offensive`, the quality detectors (`detector`, one module
  each, `detectors` in run order, `defects` to count them outside the engine; their lexicons:
  `materials`, `colours`, `vocabulary` and the files in `data/`), and the scores `sentiment`,
  `readability`, `diversity`;
- best-of-n: `reward` (the trained reward model, loaded) and `rerank` (the gate's decision);
- `defaults` (the default set) and `builtin` (its registration as the built-in plugin).
"""
