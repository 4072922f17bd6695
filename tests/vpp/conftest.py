"""Fixtures for the community protocol and aggregator tests (no Home Assistant)."""

from __future__ import annotations

from tests.mqtt_broker import mqtt_broker

__all__ = ["mqtt_broker"]
