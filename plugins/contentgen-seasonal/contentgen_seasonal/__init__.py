"""Example contentgen plugin: seasonal campaign copy from a phrasebook."""
