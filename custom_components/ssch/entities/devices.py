"""Device identities: the site device, one device per asset subentry and the one VPP device.

Entities hang on a ``DeviceAnchor``: it yields their unique ids and their device's info, so both are
composed in one place (``tests/integration/test_entity_identity.py`` freezes the result).
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.helpers.device_registry import DeviceInfo

from custom_components.ssch.const import DOMAIN, MANUFACTURER

# One virtual power plant per Home Assistant, whatever the number of hubs (see ``vpp``).
VPP_IDENTIFIER = (DOMAIN, "vpp")


def site_identifier(entry_id: str) -> tuple[str, str]:
    """The hub's own device."""
    return (DOMAIN, entry_id)


def asset_identifier(entry_id: str, subentry_id: str) -> tuple[str, str]:
    """The device of one asset subentry."""
    return (DOMAIN, asset_unique_prefix(entry_id, subentry_id))


def asset_unique_prefix(entry_id: str, subentry_id: str) -> str:
    """What the device id of an asset subentry and the unique ids of its entities start with."""
    return f"{entry_id}_{subentry_id}"


def evse_unique_prefix(entry_id: str, subentry_id: str, evse_id: int) -> str:
    """What the device id of one EVSE and the unique ids of its entities start with."""
    return f"{asset_unique_prefix(entry_id, subentry_id)}_evse{evse_id}"


def evse_unique_id(entry_id: str, subentry_id: str, evse_id: int, key: str) -> str:
    """The unique id of the entity ``key`` of one EVSE, as its ``DeviceAnchor`` composes it."""
    return f"{evse_unique_prefix(entry_id, subentry_id, evse_id)}_{key}"


def evse_identifier(entry_id: str, subentry_id: str, evse_id: int) -> tuple[str, str]:
    """The device of one EVSE of a charger."""
    return (DOMAIN, evse_unique_prefix(entry_id, subentry_id, evse_id))


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


@dataclass(frozen=True, slots=True)
class DeviceAnchor:
    """The device an entity belongs to: its info, and the prefix of its entities' unique ids."""

    device_info: DeviceInfo
    # Empty for the one VPP device of a Home Assistant: its entities' ids are their keys alone.
    unique_prefix: str

    def unique_id(self, key: str) -> str:
        """The unique id of the entity ``key`` of this device."""
        return f"{self.unique_prefix}_{key}" if self.unique_prefix else key


def site_anchor(entry_id: str, name: str) -> DeviceAnchor:
    """The hub's site device."""
    return DeviceAnchor(site_device_info(entry_id, name), entry_id)


def asset_anchor(entry_id: str, subentry_id: str, name: str, model: str) -> DeviceAnchor:
    """The device of an asset subentry."""
    return DeviceAnchor(
        asset_device_info(entry_id, subentry_id, name, model), asset_unique_prefix(entry_id, subentry_id)
    )


def vpp_anchor() -> DeviceAnchor:
    """The one VPP device of this Home Assistant; its entities' ids are their keys alone."""
    return DeviceAnchor(
        DeviceInfo(
            identifiers={VPP_IDENTIFIER},
            name="Virtual power plant",
            manufacturer=MANUFACTURER,
            model="Virtual power plant",
        ),
        "",
    )
