"""An asyncio face on a paho-mqtt client, for the standalone aggregator and the benchmark's hubs.

Home Assistant members do not use this: they go through HA's MQTT integration (``link``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
import logging
import ssl
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

type MessageHandler = Callable[[str, bytes], Awaitable[None]]
type ConnectedHandler = Callable[[], Awaitable[None]]

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where the broker listens; ``mqtts://`` means TLS."""

    host: str
    port: int
    tls: bool

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """From ``mqtt://host:port`` or ``mqtts://host:port`` (credentials never go in the URL)."""
        parts = urlsplit(url if "://" in url else f"mqtt://{url}")
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError("the broker is mqtt://HOST:PORT or mqtts://HOST:PORT")
        if parts.username or parts.password:
            raise ValueError("give broker credentials through the environment, not in the URL")
        tls = parts.scheme == "mqtts"
        return cls(parts.hostname, parts.port or (8883 if tls else 1883), tls)


class PahoLink:
    """One MQTT connection; messages are handed to ``on_message`` on the asyncio loop, in order.

    paho reconnects by itself; after every (re)connection the subscriptions are renewed and
    ``on_connected`` runs, so members republish their retained messages after a broker restart.
    """

    def __init__(
        self,
        broker: BrokerAddress,
        client_id: str,
        on_message: MessageHandler,
        *,
        on_connected: ConnectedHandler | None = None,
        username: str | None = None,
        password: str | None = None,
        cafile: str | None = None,
        will: tuple[str, str] | None = None,
    ) -> None:
        """Configure the client; nothing connects before :meth:`start`."""
        self._broker = broker
        self._on_message = on_message
        self._on_connected = on_connected
        self._subscriptions: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.subscribed = asyncio.Event()
        self.connections = 0
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
        client.max_inflight_messages_set(1000)
        client.reconnect_delay_set(min_delay=1, max_delay=5)
        if username is not None:
            client.username_pw_set(username, password)
        if broker.tls:
            client.tls_set(ca_certs=cafile, cert_reqs=ssl.CERT_REQUIRED)
        if will is not None:
            client.will_set(will[0], will[1], qos=1, retain=True)
        client.on_connect = self._connected
        client.on_disconnect = self._disconnected
        client.on_message = self._received
        client.on_subscribe = self._suback
        self._client = client

    async def start(self, subscriptions: Iterable[str]) -> None:
        """Connect (retrying until the broker answers), subscribe (until the broker confirms) and start
        handing messages over."""
        self._loop = asyncio.get_running_loop()
        self._subscriptions = list(subscriptions)
        self._worker = asyncio.create_task(self._work())
        self._client.connect_async(self._broker.host, self._broker.port, keepalive=30)
        self._client.loop_start()
        await self.connected.wait()
        if self._subscriptions:
            await self.subscribed.wait()

    async def stop(self) -> None:
        """Disconnect cleanly (no last will) and stop the network thread."""
        self._client.disconnect()
        await asyncio.get_running_loop().run_in_executor(None, self._client.loop_stop)
        if self._worker is not None:
            self._worker.cancel()

    async def publish(self, topic: str, payload: str, retain: bool) -> None:
        """Queue a message (QoS 1); paho sends it from its thread."""
        self._client.publish(topic, payload, qos=1, retain=retain)

    def _connected(self, client: paho.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            return
        if self._subscriptions:
            client.subscribe([(topic, 1) for topic in self._subscriptions])
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._mark_connected)

    def _mark_connected(self) -> None:
        self.connections += 1
        self.connected.set()
        if self._on_connected is not None and self.connections > 1:
            self._queue.put_nowait(("", b""))  # the worker republishes, in order with the messages

    def _suback(self, _client: paho.Client, _userdata: Any, _mid: int, _codes: Any, _props: Any) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.subscribed.set)

    def _disconnected(
        self, _client: paho.Client, _userdata: Any, _flags: Any, _reason: Any, _props: Any
    ) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.connected.clear)

    def _received(self, _client: paho.Client, _userdata: Any, message: paho.MQTTMessage) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (message.topic, message.payload))

    async def _work(self) -> None:
        while True:
            topic, payload = await self._queue.get()
            if not topic:
                if self._on_connected is not None:
                    await self._on_connected()
                continue
            try:
                await self._on_message(topic, payload)
            except Exception:
                # One message must not stop the handling of all that follow it.
                _LOGGER.exception("Handling a message on %s failed", topic)
