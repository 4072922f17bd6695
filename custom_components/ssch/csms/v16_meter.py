"""OCPP 1.6 sampled values (decimal strings, a flat unit) in the 2.x shape the hub reads."""

from __future__ import annotations

import math
from typing import Any


def _number(text: object) -> float | None:
    try:
        value = float(str(text))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def normalise_meter_values(meter_values: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The meter values with numeric values and ``unitOfMeasure``, and what could not be read.

    Signed values (``format`` SignedData) carry a signature, not a number: they are skipped.
    """
    normalised: list[dict[str, Any]] = []
    problems: list[str] = []
    for meter_value in meter_values:
        samples: list[dict[str, Any]] = []
        for sample in meter_value.get("sampledValue", []):
            if sample.get("format") == "SignedData":
                continue
            value = _number(sample.get("value"))
            if value is None:
                measurand = sample.get("measurand", "Energy.Active.Import.Register")
                problems.append(f"{measurand} value {str(sample.get('value'))[:20]!r} is not a number")
                continue
            converted = {
                key: sample[key] for key in ("measurand", "phase", "location", "context") if key in sample
            }
            converted["value"] = value
            if "unit" in sample:
                converted["unitOfMeasure"] = {"unit": sample["unit"]}
            samples.append(converted)
        normalised.append({"timestamp": meter_value.get("timestamp"), "sampledValue": samples})
    return normalised, problems
