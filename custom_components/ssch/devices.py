"""Device identities: the site device, one device per asset subentry and the one VPP device."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo

from .const import DOMAIN, MANUFACTURER

# One virtual power plant per Home Assistant, whatever the number of hubs (see ``vpp``).
VPP_IDENTIFIER = (DOMAIN, "vpp")


def site_identifier(entry_id: str) -> tuple[str, str]:
    """The hub's own device."""
    return (DOMAIN, entry_id)


def asset_identifier(entry_id: str, subentry_id: str) -> tuple[str, str]:
    """The device of one asset subentry."""
    return (DOMAIN, f"{entry_id}_{subentry_id}")


def evse_identifier(entry_id: str, subentry_id: str, evse_id: int) -> tuple[str, str]:
    """The device of one EVSE of a charger."""
    return (DOMAIN, f"{entry_id}_{subentry_id}_evse{evse_id}")


def site_device_info(entry_id: str, name: str) -> DeviceInfo:
    """The hub's site device."""
    return DeviceInfo(
        identifiers={site_identifier(entry_id)},
        name=name,
        manufacturer=MANUFACTURER,
        model="Charging hub",
    )


def asset_device_info(entry_id: str, subentry_id: str, name: str, model: str) -> DeviceInfo:
    """An asset's device."""
    return DeviceInfo(
        identifiers={asset_identifier(entry_id, subentry_id)},
        name=name,
        manufacturer=MANUFACTURER,
        model=model,
    )
