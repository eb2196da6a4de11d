"""Tasks as specs: one module per built-in task (its request type and `TaskSpec`), the TaskSpec
contract (`spec.py`) and the registry the engine builds from the `register_tasks` hook.

A plugin adds a task by registering a `TaskSpec`; see `contentgen.tasks.spec` and the README's
plugin guide ("Tasks").
"""
