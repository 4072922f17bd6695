"""A two-charger, eight-step scenario small enough to check by hand."""

from __future__ import annotations

from typing import Any


def tiny_scenario_dict() -> dict[str, Any]:
    """Import limit 20 kW: two cars charging at full power next to the building exceed it."""
    return {
        "name": "tiny",
        "start": "2023-07-03T00:00:00+00:00",
        "step_minutes": 15,
        "steps": 8,
        "site": {"import_limit_kw": 20.0, "export_limit_kw": 20.0, "peak_price_eur_per_kw": 2.0},
        "chargers": [
            {"id": "c1", "max_charge_kw": 11.0, "max_discharge_kw": 11.0, "efficiency": 0.95},
            {"id": "c2", "max_charge_kw": 11.0, "max_discharge_kw": 11.0, "efficiency": 0.95},
        ],
        "battery": {
            "capacity_kwh": 10.0,
            "max_charge_kw": 5.0,
            "max_discharge_kw": 5.0,
            "soc_min": 0.1,
            "soc_max": 0.9,
            "soc_initial": 0.5,
            "efficiency": 0.95,
        },
        "series": {
            "price_import_eur_per_kwh": [0.30, 0.30, 0.10, 0.10, 0.20, 0.20, 0.40, 0.40],
            "price_export_eur_per_kwh": [0.20, 0.20, 0.00, 0.00, 0.10, 0.10, 0.30, 0.30],
            "pv_kw": [0.0, 0.0, 2.0, 4.0, 4.0, 2.0, 0.0, 0.0],
            "building_kw": [5.0] * 8,
        },
        "sessions": [
            {
                "charger": "c1",
                "arrival": "2023-07-03T00:00:00+00:00",
                "departure": "2023-07-03T01:30:00+00:00",
                "energy_initial_kwh": 20.0,
                "capacity_kwh": 60.0,
                "target_energy_kwh": 27.0,
                "min_energy_kwh": 15.0,
                "v2g": False,
            },
            {
                "charger": "c2",
                "arrival": "2023-07-03T00:10:00+00:00",
                "departure": "2023-07-03T02:00:00+00:00",
                "energy_initial_kwh": 30.0,
                "capacity_kwh": 50.0,
                "target_energy_kwh": 36.0,
                "min_energy_kwh": 20.0,
                "v2g": True,
            },
        ],
        "comment": "extra keys are kept and ignored",
    }
