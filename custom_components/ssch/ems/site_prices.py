"""The plan's import and export prices: from the price entities, the prices fetched through their
integration's action, the household's tariff, and what the hub does when a source gives no forecast."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.ssch.core.model import Prices, StepGrid
from custom_components.ssch.hub_config import HubConfig

from .price_source import PricePoint, announced_until, merged_points, price_series
from .raised_issues import RaisedIssues

ISSUE_PRICE_FORECAST_MISSING = "price_forecast_missing"
# A price source that announces less than this ahead gives the plan no prices to shift energy by.
MIN_FORECAST = timedelta(hours=1)
# Entities that hold a price the installer set (a helper or a template): a constant is what they mean.
_FIXED_PRICE_DOMAINS = ("input_number",)
_FIXED_PRICE_PLATFORMS = ("template",)


class SitePrices:
    """Builds the price series of each plan and says how far the real prices reach."""

    def __init__(self, hass: HomeAssistant, config: HubConfig) -> None:
        """Prices of one hub; ``announced`` is filled by the action fetcher."""
        self._hass = hass
        self._config = config
        self.announced: dict[str, list[PricePoint]] = {}
        self.known_until: datetime | None = None
        self._issues = RaisedIssues(hass, config.entry_id, ISSUE_PRICE_FORECAST_MISSING)

    def series(self, grid: StepGrid, now: datetime) -> Prices:
        """Import prices billed with the tariff; export prices as the entity or the option gives them."""
        source, export = self._config.import_price, self._config.export_price
        import_state = self._hass.states.get(source.entity_id) if source.entity_id else None
        announced = self.announced.get(source.entity_id or "", [])
        import_prices, _ = price_series(
            import_state,
            grid,
            source.fixed_eur_per_kwh or 0.0,
            announced=announced,
            tariff=self._config.tariff,
        )
        export_state = self._hass.states.get(export.entity_id) if export.entity_id else None
        export_prices, _ = price_series(
            export_state,
            grid,
            export.fixed_eur_per_kwh or 0.0,
            announced=self.announced.get(export.entity_id or "", []),
        )
        if source.entity_id:
            self.known_until = announced_until(merged_points(import_state, announced))
            self._check_forecast(source.entity_id, now)
        return Prices(import_prices, export_prices)

    def _check_forecast(self, entity_id: str, now: datetime) -> None:
        short = (self.known_until is None or self.known_until < now + MIN_FORECAST) and not self._fixed(
            entity_id
        )
        if short:
            self._issues.raise_once(
                "",
                {
                    "hub": self._config.name,
                    "entity_id": entity_id,
                    "until": self.known_until.isoformat(timespec="minutes") if self.known_until else "now",
                },
            )
        else:
            self._issues.clear("")

    def _fixed(self, entity_id: str) -> bool:
        if entity_id.split(".", 1)[0] in _FIXED_PRICE_DOMAINS:
            return True
        entry = er.async_get(self._hass).async_get(entity_id)
        return entry is not None and entry.platform in _FIXED_PRICE_PLATFORMS

    def clear(self) -> None:
        """Drop the repair (the hub is unloading)."""
        self._issues.clear_all()
