"""Home Assistant's reports of a deprecated API used by this integration fail the test that caused them."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import frame
import pytest

from tests.ha_deprecations import FrameReports


@pytest.mark.parametrize("integration_frame_path", ["custom_components/ssch"])
@pytest.mark.usefixtures("mock_integration_frame")
async def test_a_report_about_this_integration_fails_the_test(
    hass: HomeAssistant, frame_reports: FrameReports
) -> None:
    """The frame helper's report (as Home Assistant logs it for custom integrations) is a failure."""
    frame.report_usage("uses an API that is going away", breaks_in_ha_version="2099.1")
    assert len(frame_reports.reports) == 1
    assert "custom integration 'ssch' uses an API that is going away" in frame_reports.reports[0]
    with pytest.raises(pytest.fail.Exception, match="deprecated API use"):
        frame_reports.check()
    frame_reports.reports.clear()  # made on purpose: this test passes


@pytest.mark.parametrize("integration_frame_path", ["custom_components/other"])
@pytest.mark.usefixtures("mock_integration_frame")
async def test_a_report_about_another_integration_does_not(
    hass: HomeAssistant, frame_reports: FrameReports
) -> None:
    frame.report_usage("uses an API that is going away", breaks_in_ha_version="2099.1")
    assert frame_reports.reports == []
