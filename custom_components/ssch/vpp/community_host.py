"""The community in Home Assistant: a hub's member link and, when chosen, the community's aggregator.

Only loaded for a hub that joined a community, so Home Assistant's MQTT integration stays optional.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
import logging

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval

from custom_components.ssch.runtime import SschConfigEntry

from .aggregator import Aggregator, AggregatorSettings
from .community_data import COMMUNITY_DATA, CommunityRuntime
from .link import AsyncUnload, async_start_link, async_subscribe_all, mqtt_publisher
from .topics import CommunitySettings

_LOGGER = logging.getLogger(__name__)
# How often the aggregator looks for members gone stale (and re-splits what they held).
CHECK_INTERVAL = timedelta(seconds=15)
# A Home Assistant hub re-plans before it answers: give members longer than the command line does.
ANSWER_TIMEOUT_S = 30.0
# A hub whose options change reloads: it says offline and online again within seconds, keeping its
# commitments. What it holds is re-split only if it stays offline this long.
OFFLINE_GRACE_S = 20.0


async def async_start_community(
    hass: HomeAssistant, entry: SschConfigEntry, settings: CommunitySettings
) -> AsyncUnload | None:
    """Join the community over MQTT; None when the MQTT integration is not set up."""
    if not await mqtt.async_wait_for_mqtt_client(hass):
        _LOGGER.warning(
            "Hub %s joined community %s, but Home Assistant's MQTT integration is not set up",
            entry.title,
            settings.community_id,
        )
        return None
    aggregator: Aggregator | None = None
    stop_aggregator = None
    if settings.run_aggregator:
        # Subscribed before the member link: the link's echo then means the aggregator listens too.
        aggregator, stop_aggregator = await _async_start_aggregator(hass, settings)
    member, unload_link = await async_start_link(hass, entry.runtime_data.ems, settings)
    hass.data.setdefault(COMMUNITY_DATA, {})[entry.entry_id] = CommunityRuntime(settings, member, aggregator)

    async def unload() -> None:
        hass.data.get(COMMUNITY_DATA, {}).pop(entry.entry_id, None)
        if stop_aggregator is not None:
            stop_aggregator()
        await unload_link()

    return unload


async def _async_start_aggregator(
    hass: HomeAssistant, settings: CommunitySettings
) -> tuple[Aggregator, Callable[[], None]]:
    aggregator = Aggregator(
        AggregatorSettings(
            settings.community_id,
            settings.topic_prefix,
            settings.key,
            settings.aggregator_id,
            answer_timeout_s=ANSWER_TIMEOUT_S,
            offline_grace_s=OFFLINE_GRACE_S,
        ),
        mqtt_publisher(hass),
    )
    unsubscribe = await async_subscribe_all(hass, aggregator.subscriptions, aggregator.handle)

    @callback
    def check(_: datetime) -> None:
        aggregator.check()

    stop_checking = async_track_time_interval(hass, check, CHECK_INTERVAL, name="ssch community check")

    @callback
    def stop() -> None:
        stop_checking()
        unsubscribe()
        aggregator.stop()

    return aggregator, stop
