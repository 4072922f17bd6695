"""Where and how the demo runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "demo"


@dataclass(frozen=True, slots=True)
class DemoSettings:
    """Where the demo runs and what it simulates."""

    config_dir: Path
    port: int
    ocpp_port: int
    exit_after_setup: bool
    stations: int
    speed: float
    # Stations speaking OCPP 2.0.1 next to the 2.1 ones (the benchmark runs without them).
    legacy_stations: int = 0
    # Household wallboxes speaking OCPP 1.6J (charge only, controlled in amperes).
    ocpp16_stations: int = 0
    # PV, building, battery and day-ahead prices from the reference site's real-data profiles.
    site: bool = False
    dashboard: bool = False
    # "built-in": Home Assistant runs without cvxpy, OSQP and Clarabel, as on Home Assistant OS.
    engine: str = "auto"

    @property
    def station_count(self) -> int:
        """Every simulated station, whatever its protocol."""
        return self.stations + self.legacy_stations + self.ocpp16_stations

    @property
    def url(self) -> str:
        """The frontend's address."""
        return f"http://127.0.0.1:{self.port}"
