"""Log filters. A refused request (403, 404 and other 4xx) is the app working as meant: Django logs it with
the exception's traceback, which buries the real errors; it is logged as one line instead."""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info, record.exc_text = None, None
        return True
