"""A logging filter that redacts personal data from every record it sees."""

from __future__ import annotations

import logging

from contentgen.safety.pii.redactor import redact_text


class PiiLogFilter(logging.Filter):
    """A logging filter that redacts personal data from messages, arguments and tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logged as is rather than lost
            return True
        record.msg = redact_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def install_log_redaction(
    *targets: logging.Logger | logging.Handler | str,
) -> PiiLogFilter:
    """Attach one PiiLogFilter to handlers/loggers (default: root handlers and 'contentgen').

    A filter on a logger only sees records logged on that very logger, so the default also adds it
    to every handler of the root logger, which sees records propagated from 'contentgen.*'.
    """
    log_filter = PiiLogFilter()
    chosen = list(targets) or ["contentgen", *logging.getLogger().handlers]
    for target in chosen:
        resolved = logging.getLogger(target) if isinstance(target, str) else target
        if not any(isinstance(f, PiiLogFilter) for f in resolved.filters):
            resolved.addFilter(log_filter)
        if isinstance(resolved, logging.Logger) and not targets:
            for handler in resolved.handlers:
                if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
                    handler.addFilter(log_filter)
    return log_filter
