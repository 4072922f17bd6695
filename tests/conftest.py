"""Test configuration shared by every test folder.

The Home Assistant test plugin loads itself for every test (it blocks non-loopback sockets); tests that
run inside Home Assistant live in ``integration/`` and ``e2e/`` with their own fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
import logging

import pytest

from tests.ha_deprecations import FRAME_LOGGER, FrameReports


@pytest.fixture(autouse=True)
def frame_reports() -> Iterator[FrameReports]:
    """A deprecated Home Assistant API used by the integration fails the test that used it."""
    reports = FrameReports()
    logger = logging.getLogger(FRAME_LOGGER)
    logger.addHandler(reports)
    try:
        yield reports
    finally:
        logger.removeHandler(reports)
    reports.check()
