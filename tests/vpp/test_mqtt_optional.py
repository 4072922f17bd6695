"""A hub outside any community never loads Home Assistant's MQTT integration (it is optional)."""

from __future__ import annotations

import subprocess
import sys


def test_the_hub_and_its_platforms_import_without_mqtt() -> None:
    code = (
        "import importlib, sys\n"
        "for name in ('hub', 'sensor', 'config_flow', 'vpp.community_setup', 'vpp.community_sensor',"
        " 'vpp.community_services'):\n"
        "    importlib.import_module('custom_components.ssch.' + name)\n"
        "mqtt = ('homeassistant.components.mqtt', 'paho')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(mqtt))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
