"""Personal data never reaches the application logs: RUTs, e-mail addresses and phone numbers are masked.

``PersonalDataFilter`` rewrites each record's message (after %-formatting), its exception text and
its string ``extra`` fields. ``configure_logging`` installs it on the app's loggers and on every
handler of the root logger, and gives the ``redabierta`` loggers a JSON formatter so access events
are structured (one JSON object per line).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys

# 12.345.678-5, 12345678-5, 1.234.567-K (a check digit after a dash, or dotted thousands).
RUT_RE = re.compile(r"(?<![\w.])\d{1,2}(?:\.\d{3}){2}-?[\dkK](?![\w])|(?<![\w.])\d{7,8}-[\dkK](?![\w])")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# +56 9 1234 5678, +56912345678, 56 2 2345 6789, 9 8765 4321, (2) 2345 6789
PHONE_RE = re.compile(r"(?<![\w+])(?:\+?56[\s.-]?)(?:\(?\d{1,2}\)?[\s.-]?)?\d{3,4}[\s.-]?\d{4}(?!\w)"
                      r"|(?<![\w+])(?:\(\d{1,2}\)\s?|9[\s.-])\d{4}[\s.-]?\d{4}(?!\w)")
MASKS = ((EMAIL_RE, "[correo]"), (RUT_RE, "[rut]"), (PHONE_RE, "[teléfono]"))
STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def mask_text(text: str) -> str:
    """Replace RUTs, e-mails and phone numbers in ``text``."""
    for pattern, mask in MASKS:
        text = pattern.sub(mask, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Masks personal data in log records (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place."""
        if getattr(record, "_ra_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string: keep the raw message
            message = str(record.msg)
        record.msg, record.args = mask_text(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        for key, value in list(vars(record).items()):
            if key not in STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, mask_text(value))
        record._ra_masked = True
        return True


class _StderrHandler(logging.StreamHandler):
    """A stream handler that writes to the current ``sys.stderr`` (which test runners swap)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write one record."""
        self.stream = sys.stderr
        super().emit(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise ``record``."""
        data = {"time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRS and not key.startswith("_"):
                data[key] = value
        if record.exc_info or record.exc_text:
            data["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


LOGGERS = ("redabierta", "redabierta.access", "redabierta.security", "redabierta.errors", "werkzeug", "gunicorn.access", "gunicorn.error", "sqlalchemy.engine", "flask.app", "app")
_FILTER = PersonalDataFilter()


def configure_logging(app=None) -> None:
    """Install the masking filter and the structured ``redabierta`` handler (idempotent)."""
    names = list(LOGGERS) + ([app.logger.name] if app is not None else [])
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    ours = logging.getLogger("redabierta")
    if not any(getattr(h, "_ra_json", False) for h in ours.handlers):
        handler = _StderrHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(_FILTER)
        handler._ra_json = True
        ours.addHandler(handler)
    if ours.level == logging.NOTSET:
        ours.setLevel(logging.INFO)
