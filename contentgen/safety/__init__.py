"""Safety, privacy and reliability: PII redaction, untrusted-text hygiene, output checks, sandbox.

Submodules are imported where they are used; this package imports nothing heavy.
"""
