"""``--forecasts hub``: the hub's own forecasts from the past only, and their error metrics."""

from __future__ import annotations

from dataclasses import replace
import json
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
import pytest

from benchmarks import run
from benchmarks.forecast_view import ForecastProvider
from benchmarks.hub_forecasts import (
    HubForecastProvider,
    PastSeries,
    PvForecastSeries,
    bucket_errors,
    error_table,
    forecast_provider,
    measure,
)
from benchmarks.scenario import Scenario, Series, save_scenario, scenario_from_dict
from tests.benchmarks.tiny import tiny_scenario_dict

DAY = 96


def _days_scenario(days: int = 3) -> Scenario:
    """``days`` days from Monday 2023-07-03 (UTC), PV with a daily bell, an office-like load."""
    data = tiny_scenario_dict()
    steps = days * DAY
    data.update(steps=steps, sessions=[])
    hour = np.arange(steps) % DAY / 4
    pv = np.clip(40 * np.sin(np.pi * (hour - 5) / 15), 0, None)
    building = 10 + 5 * ((hour >= 8) & (hour < 18)) + np.arange(steps) / steps
    data["series"] = {
        "price_import_eur_per_kwh": [0.2] * steps,
        "price_export_eur_per_kwh": [0.1] * steps,
        "pv_kw": [round(float(v), 3) for v in pv],
        "building_kw": [round(float(v), 3) for v in building],
    }
    return scenario_from_dict(data)


def _past(days: int = 7) -> PastSeries:
    hour = np.arange(days * DAY) % DAY / 4
    return PastSeries(
        pv_kw=np.clip(30 * np.sin(np.pi * (hour - 5) / 15), 0, None),
        building_kw=10 + 5 * ((hour >= 8) & (hour < 18)).astype(float),
    )


def _with_future(scenario: Scenario, step: int, pv: float, building: float) -> Scenario:
    """The same scenario with every PV and building value from ``step`` on replaced."""
    series = scenario.series
    return replace(
        scenario,
        series=Series(
            price_import_eur_per_kwh=series.price_import_eur_per_kwh,
            price_export_eur_per_kwh=series.price_export_eur_per_kwh,
            pv_kw=series.pv_kw[:step] + [pv] * (scenario.steps - step),
            building_kw=series.building_kw[:step] + [building] * (scenario.steps - step),
        ),
    )


def test_the_history_a_forecast_reads_ends_before_now() -> None:
    scenario = _days_scenario()
    provider = HubForecastProvider(scenario, past=_past())
    for step in (0, 1, 150):
        now = scenario.time_of(step)
        for values in (provider.measured_pv, provider.measured_building):
            history = provider.history(step, 10_000, values)
            assert history
            assert max(moment for moment, _ in history) == now - scenario.step
    # At the start only the days before it are known; they are the past series.
    first = provider.history(0, 4, provider.measured_building)
    assert [value for _, value in first] == _past().building_kw[-4:].tolist()


def test_no_future_building_or_pv_measurement_reaches_a_forecast() -> None:
    scenario = _days_scenario()
    step = 130
    changed = _with_future(scenario, step, pv=55.0, building=99.0)
    original = HubForecastProvider(scenario, past=_past())
    other = HubForecastProvider(changed, past=_past())
    # Building: from the recorded past only.
    assert np.array_equal(original.view(step, DAY).building_kw, other.view(step, DAY).building_kw)
    # PV: the forecast series is the real PV with an error (a forecast service's knowledge of the
    # future); without it what remains is the clearness of the past day, blind to the future.
    for provider in (original, other):
        provider.series.issue = lambda number: (0, np.zeros(0))  # type: ignore[method-assign]
    assert np.array_equal(original.view(step, DAY).pv_kw, other.view(step, DAY).pv_kw)


def test_the_building_forecast_is_the_similar_days_of_the_past() -> None:
    scenario = _days_scenario()
    view = HubForecastProvider(scenario, past=_past()).view(0, DAY)
    # Monday 00:00 UTC: the working days before it (Friday ... Tuesday of the past week).
    expected = 10 + 5 * ((np.arange(DAY) / 4 >= 8) & (np.arange(DAY) / 4 < 18))
    assert view.building_kw.tolist() == pytest.approx(expected.tolist())
    # Without any past the first forecast knows nothing.
    assert HubForecastProvider(scenario).view(0, DAY).building_kw.tolist() == [0.0] * DAY


def test_the_pv_forecast_series_is_seeded_and_exact_at_night() -> None:
    scenario = _days_scenario()
    series = PvForecastSeries(scenario, seed=3)
    start, values = series.issue(5)
    again = PvForecastSeries(scenario, seed=3)
    again.issue(9)
    assert again.issue(5)[0] == start
    assert np.array_equal(again.issue(5)[1], values)
    assert start == 5 * 24
    real = np.array(scenario.series.pv_kw[start : start + values.size])
    night = series.clear_sky[start : start + values.size] == 0.0
    assert night.any()
    assert np.array_equal(values[night], real[night])
    assert not np.allclose(values, real)
    assert np.all((values >= 0.0) & (values <= series.peak_kw))
    assert not np.array_equal(PvForecastSeries(scenario, seed=4).issue(5)[1], values)


def test_the_pv_error_grows_with_lead_time() -> None:
    scenario = _days_scenario(days=60)
    series = PvForecastSeries(scenario, seed=1)
    errors: list[NDArray[np.float64]] = []
    for number in range(0, 230):
        start, values = series.issue(number)
        real = np.array(scenario.series.pv_kw[start : start + values.size])
        scale = series.clear_sky[start : start + values.size]
        day = scale > 5.0
        if values.size == series.length:
            errors.append(np.where(day, (values - real) / np.where(day, scale, 1.0), np.nan))
    spread = np.nanstd(np.array(errors), axis=0)
    assert np.nanmean(spread[:8]) < 0.7 * np.nanmean(spread[-16:])


def test_error_metrics_on_a_tiny_case() -> None:
    real = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    forecasts = [
        (0, np.array([1.0, 1.0, 4.0, 3.0])),  # errors +1, 0, +2, 0 at leads 0, 0.5, 1.0, 1.5 h
        (4, np.array([2.0, 5.0, 9.0])),  # errors -2, 0 at leads 0, 0.5 h; the last is past the end
    ]
    buckets = bucket_errors(forecasts, real, 0.5, ((0.0, 1.0), (1.0, 2.0)))
    first, second = buckets
    assert first.count == 4
    assert first.mae_kw == pytest.approx((1 + 0 + 2 + 0) / 4)
    assert first.bias_kw == pytest.approx((1 + 0 - 2 + 0) / 4)
    assert first.mean_real_kw == pytest.approx((0 + 1 + 4 + 5) / 4)
    assert second.count == 2
    assert second.mae_kw == pytest.approx(1.0)
    assert second.bias_kw == pytest.approx(1.0)
    table = error_table({"pv": buckets})
    assert "| pv | 0-1 h | 0.75 | -0.25 | 2.50 | 4 |" in table


def test_measure_compares_each_forecast_with_what_happened() -> None:
    scenario = _days_scenario()
    provider = HubForecastProvider(scenario, past=_past())
    errors = measure(scenario, provider, every=8, horizon=DAY)
    building = errors["building"]
    assert all(b.count > 0 for b in building)
    # The load drifts up by 1 kW over the replay and the forecast repeats past days: biased low.
    assert all(b.bias_kw < 0 for b in building)
    assert errors["pv"][0].mae_kw > 0


def test_the_exact_mode_is_the_plain_provider() -> None:
    scenario = _days_scenario(days=1)
    assert type(forecast_provider(scenario, "exact", 0.2, 7)) is ForecastProvider
    assert isinstance(forecast_provider(scenario, "hub", 0.0, 7), HubForecastProvider)


def test_runner_with_hub_forecasts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "days.json"
    save_scenario(_days_scenario(days=1), path)
    out = tmp_path / "hub.json"
    args = [str(path), "--controller", "fallback", "--steps", "8", "--forecasts", "hub", "--json", str(out)]
    assert run.main(args) == 0
    assert "forecasts hub" in capsys.readouterr().out
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["forecasts"] == "hub"
    with pytest.raises(SystemExit):
        run.main([str(path), "--forecasts", "hub", "--forecast-noise", "0.2"])


def test_hub_now_takes_the_last_measurement_for_the_present_step() -> None:
    scenario = _days_scenario()
    hub = HubForecastProvider(scenario, past=_past())
    now = HubForecastProvider(scenario, past=_past(), nowcast=True)
    step = 150
    plain, nowcast = hub.view(step, DAY), now.view(step, DAY)
    assert nowcast.pv_kw[0] == scenario.series.pv_kw[step - 1]
    assert nowcast.building_kw[0] == scenario.series.building_kw[step - 1]
    assert np.array_equal(nowcast.pv_kw[1:], plain.pv_kw[1:])
    # At the start the last measurement is the past series' last step.
    assert now.view(0, DAY).building_kw[0] == _past().building_kw[-1]
    assert isinstance(forecast_provider(scenario, "hub-now", 0.0, 7), HubForecastProvider)
