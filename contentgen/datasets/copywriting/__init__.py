"""A copywriting corpus built by code: product briefs with publishable copy for every channel,
customer-service replies that follow a policy, and grounded news headlines and briefs.

`python -m contentgen.datasets.copywriting build --out corpus/` writes it (deterministic for a
seed); `python -m contentgen.datasets.copywriting check corpus/` runs contentgen's own checks on
every record.
"""
