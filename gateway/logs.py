"""Log lines never carry a full ID number or credit code.

``MaskIdentifiers`` is a handler filter: every record that a handler writes is formatted once
and its identifiers masked (``320812********1256``), whichever logger wrote it: the gateway's
own lines, strawberry's error reports, uvicorn's access log (a GET request's query string can
carry a subject's number).
"""

from __future__ import annotations

import copy
import logging
import urllib.parse
from typing import Any

from uvicorn.config import LOGGING_CONFIG

from gateway.domain.subjects import mask_ids_in_text


class MaskIdentifiers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "%" in message:
            # a URL's query string (the access log): percent-encoding hides a number from the
            # pattern ("%22320812..."), so the line is written decoded, then masked
            message = urllib.parse.unquote_plus(message)
        masked = mask_ids_in_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            # a traceback may quote an argument: format it now, masked
            record.exc_text = mask_ids_in_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_ids_in_text(record.exc_text)
        return True


def mask_root_handlers() -> None:
    """Mask identifiers on every handler of the root logger (after ``basicConfig``)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskIdentifiers) for f in handler.filters):
            handler.addFilter(MaskIdentifiers())


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with identifiers masked on its handlers."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["mask_identifiers"] = {"()": MaskIdentifiers}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("mask_identifiers")
    return config
