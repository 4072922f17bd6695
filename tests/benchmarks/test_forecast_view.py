"""What controllers may know: exact futures, wrapped horizons, published prices, noise."""

from __future__ import annotations

import numpy as np

from benchmarks.forecast_view import ForecastProvider
from benchmarks.scenario import Scenario, scenario_from_dict
from tests.benchmarks.tiny import tiny_scenario_dict


def _day_scenario(start: str = "2023-07-03T00:00:00+00:00") -> Scenario:
    data = tiny_scenario_dict()
    steps = 192
    data.update(start=start, steps=steps, sessions=[])
    data["extra_zone"] = "ignored"
    data["time_zone"] = "Europe/Amsterdam"
    data["series"] = {
        "price_import_eur_per_kwh": [0.2 + k / 1000 for k in range(steps)],
        "price_export_eur_per_kwh": [k / 1000 for k in range(steps)],
        "pv_kw": [float(k % 96) / 10 for k in range(steps)],
        "building_kw": [5.0 + k % 7 for k in range(steps)],
    }
    return scenario_from_dict(data)


def test_exact_forecasts_are_the_truth() -> None:
    scenario = scenario_from_dict(tiny_scenario_dict())
    view = ForecastProvider(scenario).view(2, 4)
    assert view.pv_kw.tolist() == scenario.series.pv_kw[2:6]
    assert view.price_import_eur_per_kwh.tolist() == scenario.series.price_import_eur_per_kwh[2:6]


def test_beyond_the_end_whole_days_repeat() -> None:
    scenario = _day_scenario()
    provider = ForecastProvider(scenario)
    index = provider.indices(150, 96)
    assert index[:42].tolist() == list(range(150, 192))
    assert index[42:].tolist() == [k - 96 for k in range(192, 246)]


def test_prices_are_known_until_the_published_day() -> None:
    # Local time is UTC+2 in July: 00:00 UTC is 02:00, before publication -> until midnight.
    scenario = _day_scenario()
    provider = ForecastProvider(scenario, noise=0.1)
    assert provider.known_price_steps(0, 192) == 22 * 4
    # 12:00 UTC is 14:00 local, after publication -> until the end of tomorrow.
    assert provider.known_price_steps(48, 192) == 34 * 4
    assert provider.known_price_steps(48, 96) == 96


def test_noise_changes_the_future_but_not_the_present() -> None:
    scenario = _day_scenario()
    exact = ForecastProvider(scenario).view(40, 96)
    noisy = ForecastProvider(scenario, noise=0.3, seed=1).view(40, 96)
    assert noisy.pv_kw[0] == exact.pv_kw[0]
    assert noisy.building_kw[0] == exact.building_kw[0]
    assert not np.allclose(noisy.pv_kw, exact.pv_kw)
    assert np.all(noisy.pv_kw >= 0.0)


def test_unpublished_prices_repeat_yesterday() -> None:
    # Step 100 is 03:00 local on the second day: prices are known until local midnight.
    scenario = _day_scenario()
    provider = ForecastProvider(scenario, noise=0.3)
    known = provider.known_price_steps(100, 96)
    assert known == 84
    view = provider.view(100, 96)
    prices = scenario.series.price_import_eur_per_kwh
    assert view.price_import_eur_per_kwh[:known].tolist() == prices[100:184]
    assert view.price_import_eur_per_kwh[known:].tolist() == prices[88:100]
