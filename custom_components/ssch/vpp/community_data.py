"""What each hub runs for its community while loaded, kept in ``hass.data``.

Kept apart from ``community_host`` so that the sensor platform and the actions can look it up without
importing Home Assistant's MQTT integration (a hub outside any community never loads it).
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .aggregator import Aggregator
from .member import MemberProtocol
from .topics import CommunitySettings

COMMUNITY_DATA: HassKey[dict[str, CommunityRuntime]] = HassKey("ssch_community")


@dataclass(slots=True)
class CommunityRuntime:
    """A hub's member link and, if it runs it, the community's aggregator."""

    settings: CommunitySettings
    member: MemberProtocol
    aggregator: Aggregator | None


def community_runtime(hass: HomeAssistant, entry_id: str) -> CommunityRuntime | None:
    """The hub's community runtime, if it joined one."""
    return hass.data.get(COMMUNITY_DATA, {}).get(entry_id)
