"""aiohttp logs a peer's malformed HTTP request as an error with a traceback; for a server that anyone on
the network can reach, that is the peer's problem, not the hub's: one debug line, no traceback."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError


class PeerErrorLogger(logging.LoggerAdapter[logging.Logger]):
    """Logger for aiohttp's request handler: malformed requests at debug level, real errors as before."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        error = kwargs.get("exc_info")
        if isinstance(error, HttpProcessingError):
            reason = (str(error.message).strip().splitlines() or ["unreadable"])[0]
            self.logger.debug("Malformed HTTP request refused: %s", reason)
            return
        super().log(level, msg, *args, **kwargs)
