"""The ``mqtt_broker`` fixture: a real Mosquitto on a free loopback port for one test.

It is started by the test itself and stopped afterwards; the test is skipped only when the binary is
absent (``scripts/setup`` installs Debian's ``mosquitto``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.mosquitto import Broker, mosquitto_binary, running_broker

__all__ = ["Broker", "mqtt_broker"]


@pytest.fixture
def mqtt_broker(socket_enabled: None) -> Iterator[Broker]:
    """A real Mosquitto for one test; the test is skipped only when the binary is absent."""
    if mosquitto_binary() is None:
        pytest.skip("mosquitto is not installed: run scripts/setup (Debian package 'mosquitto')")
    with running_broker() as broker:
        yield broker
