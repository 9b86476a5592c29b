"""No log line carries a full ID number or credit code."""

from __future__ import annotations

import logging

from gateway.logs import MaskIdentifiers, uvicorn_log_config

PERSON = "320812198203151256"
COMPANY = "91320812MA0002015P"


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("x", logging.INFO, __file__, 1, message, args, exc_info)


def test_arguments_and_messages_are_masked():
    line = record('"GET /graphql?query=%s HTTP/1.1" 200', f"debtor(id:{PERSON}) {COMPANY}")
    assert MaskIdentifiers().filter(line)
    text = line.getMessage()
    assert PERSON not in text
    assert COMPANY not in text
    assert "320812********1256" in text
    assert "913208********015P" in text


def test_tracebacks_are_masked():
    try:
        raise ValueError(f"bad subject {PERSON}")
    except ValueError as exc:
        line = record("failed", exc=exc)
    MaskIdentifiers().filter(line)
    formatted = logging.Formatter().format(line)
    assert "ValueError" in formatted
    assert PERSON not in formatted


def test_lines_without_identifiers_are_left_alone():
    line = record("inquiry case=%s statuses=%s", "(2026)苏0812执123号", "police:OK=1")
    MaskIdentifiers().filter(line)
    assert line.args == ("(2026)苏0812执123号", "police:OK=1")


def test_uvicorns_handlers_get_the_filter():
    config = uvicorn_log_config()
    assert all("mask_identifiers" in h["filters"] for h in config["handlers"].values())


def test_numbers_in_percent_encoded_urls_are_masked():
    line = record('"GET /graphql?variables=%s HTTP/1.1" 200', f"%7B%22id%22%3A+%22{PERSON}%22%7D")
    MaskIdentifiers().filter(line)
    assert PERSON not in line.getMessage()
    assert "320812********1256" in line.getMessage()
