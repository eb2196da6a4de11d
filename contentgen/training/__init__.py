"""contentgen's own image models: networks, data, training loops, sampling and metrics.

Nothing is imported here, so `import contentgen.training` stays cheap; use the submodules
(`contentgen.training.api.train_model` is the entry point).
"""
