"""Home Assistant's reports of deprecated API use by this integration, turned into test failures.

Home Assistant's frame helper logs "Detected that custom integration 'ssch' ..." when the integration
uses an API that a later release removes (its ``report_usage``); for custom integrations it only logs.
"""

from __future__ import annotations

import logging

import pytest

FRAME_LOGGER = "homeassistant.helpers.frame"
REPORT = "integration 'ssch' "


class FrameReports(logging.Handler):
    """Collects the frame helper's reports about this integration."""

    def __init__(self) -> None:
        """Nothing reported yet."""
        super().__init__(logging.DEBUG)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep a report that names this integration."""
        message = record.getMessage()
        if REPORT in message:
            self.reports.append(message)

    def check(self) -> None:
        """Fail the test that made a report."""
        if self.reports:
            pytest.fail("Home Assistant reported a deprecated API use:\n" + "\n".join(self.reports))
