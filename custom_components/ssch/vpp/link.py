"""A hub's community link over Home Assistant's MQTT integration (the broker the user configured once).

Broker address, credentials and TLS are the MQTT integration's; this only publishes and subscribes.
HA's MQTT client has one last will for the whole instance, not one per hub, so a hub publishes a
retained ``online`` when it starts and a retained ``offline`` when it unloads; a hub that dies without
either goes stale, and the aggregator counts it offline after three publish intervals.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_time_interval

from custom_components.ssch.ems.coordinator import EmsCoordinator

from .ems_port import EmsPort
from .member import MemberProtocol, Publish
from .topics import CommunitySettings

_LOGGER = logging.getLogger(__name__)

ECHO_ATTEMPTS = 30
ECHO_WAIT_S = 1.0

type AsyncUnload = Callable[[], Coroutine[Any, Any, None]]


def mqtt_publisher(hass: HomeAssistant) -> Publish:
    """Publish through HA's MQTT integration at QoS 1."""

    async def publish(topic: str, payload: str, retain: bool) -> None:
        await mqtt.async_publish(hass, topic, payload, qos=1, retain=retain)

    return publish


async def async_subscribe_all(
    hass: HomeAssistant,
    topics: tuple[str, ...],
    handle: Callable[[str, str | bytes], Coroutine[Any, Any, None]],
) -> Callable[[], None]:
    """Subscribe ``handle`` to every topic; returns the unsubscribe for all."""

    async def received(message: mqtt.ReceiveMessage) -> None:
        payload = message.payload
        await handle(message.topic, bytes(payload) if isinstance(payload, bytearray) else payload)

    stops = [await mqtt.async_subscribe(hass, topic, received, qos=1) for topic in topics]

    def stop() -> None:
        for unsubscribe in stops:
            unsubscribe()

    return stop


async def _echo_until_heard(protocol: MemberProtocol) -> None:
    """Echo until heard: HA's MQTT client subscribes after a short debounce, the echo says when."""
    for _ in range(ECHO_ATTEMPTS):
        await protocol.send_echo()
        try:
            await asyncio.wait_for(protocol.echoed.wait(), ECHO_WAIT_S)
        except TimeoutError:
            continue
        return


async def async_start_link(
    hass: HomeAssistant, ems: EmsCoordinator, settings: CommunitySettings
) -> tuple[MemberProtocol, AsyncUnload]:
    """Subscribe, announce the hub, publish its envelope every interval and after every reconnect."""
    protocol = MemberProtocol(settings, EmsPort(ems), mqtt_publisher(hass))
    unsubscribe = await async_subscribe_all(hass, protocol.subscriptions, protocol.handle)
    await protocol.announce()
    echo = hass.async_create_background_task(_echo_until_heard(protocol), "ssch community echo")

    async def publish_periodically(_: datetime) -> None:
        await protocol.publish_envelope()
        await protocol.publish_state()

    stop_timer = async_track_time_interval(
        hass, publish_periodically, timedelta(seconds=settings.interval_s), name="ssch community envelope"
    )

    @callback
    def connection_changed(connected: bool) -> None:
        # A broker restart loses retained messages: say again who we are and what we offer.
        if connected:
            hass.async_create_task(protocol.announce(), eager_start=True)

    stop_watching = mqtt.async_subscribe_connection_status(hass, connection_changed)

    async def unload() -> None:
        echo.cancel()
        stop_timer()
        stop_watching()
        unsubscribe()
        try:
            await protocol.go_offline()
        except HomeAssistantError:
            _LOGGER.debug("MQTT already gone: the aggregator will see the hub go stale")

    return protocol, unload
