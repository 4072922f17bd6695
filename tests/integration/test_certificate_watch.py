"""A repair before the OCPP server's certificate expires."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.ssch.const import DOMAIN

from .common import hub_entry, load_hub
from .tls import write_self_signed


async def _days_later(hass: HomeAssistant, freezer: FrozenDateTimeFactory, days: int) -> None:
    freezer.tick(timedelta(days=days))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_an_expiring_certificate_raises_a_repair_in_time(
    hass: HomeAssistant, tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    cert, key = write_self_signed(tmp_path, valid_days=40)
    entry = await load_hub(hass, hub_entry(site={"tls_certificate": str(cert), "tls_key": str(key)}))
    await hass.async_block_till_done()
    issue_id = f"tls_certificate_expiring_{entry.entry_id}"
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, issue_id) is None  # 40 days left

    await _days_later(hass, freezer, 11)
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["path"] == str(cert)

    await _days_later(hass, freezer, 30)
    expired = issues.async_get_issue(DOMAIN, issue_id)
    assert expired is not None
    assert expired.severity is ir.IssueSeverity.ERROR

    # a renewed certificate at the same path clears it on the next check
    renewed, _ = write_self_signed(tmp_path / "renewed", valid_days=400)
    await hass.async_add_executor_job(cert.write_bytes, renewed.read_bytes())
    await _days_later(hass, freezer, 1)
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert await hass.config_entries.async_unload(entry.entry_id)
