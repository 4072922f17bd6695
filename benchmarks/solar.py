"""Sun position and a plane-of-array PV model (isotropic sky), enough for an hourly benchmark."""

from __future__ import annotations

from dataclasses import dataclass
import math

from custom_components.ssch.core.forecast import SunPosition


@dataclass(frozen=True)
class PvArray:
    """A fixed PV array; losses lump wiring, inverter, soiling and mismatch."""

    latitude_deg: float
    longitude_deg: float
    tilt_deg: float
    azimuth_deg: float  # 180 = south
    peak_kw: float
    system_losses: float = 0.14
    albedo: float = 0.2
    temperature_coefficient_per_k: float = -0.004
    nominal_cell_temperature_c: float = 45.0


def plane_of_array_w_per_m2(
    array: PvArray, sun: SunPosition, direct_horizontal: float, diffuse_horizontal: float
) -> float:
    """Irradiance on the array from horizontal direct and diffuse parts (isotropic sky)."""
    if sun.zenith_deg >= 90.0:
        return max(0.0, diffuse_horizontal) * (1 + math.cos(math.radians(array.tilt_deg))) / 2
    zenith = math.radians(sun.zenith_deg)
    tilt = math.radians(array.tilt_deg)
    cos_incidence = math.cos(zenith) * math.cos(tilt) + math.sin(zenith) * math.sin(tilt) * math.cos(
        math.radians(sun.azimuth_deg - array.azimuth_deg)
    )
    # Near the horizon direct/cos(zenith) explodes on measurement noise; cap the beam ratio.
    beam_ratio = max(0.0, cos_incidence) / max(math.cos(zenith), 0.087)
    beam = max(0.0, direct_horizontal) * min(beam_ratio, 5.0)
    sky = max(0.0, diffuse_horizontal) * (1 + math.cos(tilt)) / 2
    global_horizontal = max(0.0, direct_horizontal) + max(0.0, diffuse_horizontal)
    ground = global_horizontal * array.albedo * (1 - math.cos(tilt)) / 2
    return beam + sky + ground


def pv_power_kw(array: PvArray, plane_of_array: float, air_temperature_c: float) -> float:
    """AC power of the array for a plane-of-array irradiance and air temperature."""
    cell_temperature = air_temperature_c + plane_of_array / 800.0 * (array.nominal_cell_temperature_c - 20.0)
    temperature_factor = 1 + array.temperature_coefficient_per_k * (cell_temperature - 25.0)
    power = array.peak_kw * plane_of_array / 1000.0 * temperature_factor
    return max(0.0, power * (1 - array.system_losses))
