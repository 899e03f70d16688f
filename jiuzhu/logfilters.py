"""A logging filter that keeps full identity numbers out of every log.

Attached to every handler in settings.LOGGING and in the gunicorn configuration,
so a request line (`GET /api/households?q=…`), a "Not Found: /…" warning or an
exception message shows an identity number only masked (530128********123X)."""

from __future__ import annotations

import logging

from jiuzhu.core.idnumber import mask_in_text


class MaskIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: keep what it said, masked
            message = f"{record.msg} {record.args}"
        masked = mask_in_text(message)
        if masked != message:
            # Formatted once here: a handler formats the masked text, never the arguments.
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_in_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_in_text(record.stack_info)
        return True
