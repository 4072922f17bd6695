"""Repairs about a hub's inputs, one per input: raised once while the problem lasts, gone when it ends."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.ssch.const import DOMAIN


class RaisedIssues:
    """The repairs of one kind (``translation_key``) a hub raised, by the input they name."""

    def __init__(self, hass: HomeAssistant, entry_id: str, translation_key: str) -> None:
        """Repairs of one hub, with ids ``<translation_key>_<entry id>_<input>``."""
        self._hass = hass
        self._entry_id = entry_id
        self._translation_key = translation_key
        self._raised: set[str] = set()

    def issue_id(self, key: str) -> str:
        """The repair's id for input ``key`` (the hub's one repair of its kind when ``key`` is empty)."""
        hub_issue = f"{self._translation_key}_{self._entry_id}"
        return f"{hub_issue}_{key}" if key else hub_issue

    def raise_once(self, key: str, placeholders: dict[str, str]) -> bool:
        """Raise the repair for ``key`` unless it is up; whether it was raised now."""
        if key in self._raised:
            return False
        self._raised.add(key)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self.issue_id(key),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=self._translation_key,
            translation_placeholders=placeholders,
        )
        return True

    def clear(self, key: str) -> None:
        """The problem with ``key`` is over."""
        if key in self._raised:
            self._raised.discard(key)
            ir.async_delete_issue(self._hass, DOMAIN, self.issue_id(key))

    def clear_all(self) -> None:
        """Drop every repair raised (the hub is unloading)."""
        for key in list(self._raised):
            self.clear(key)

    @property
    def keys(self) -> list[str]:
        """The inputs with a repair up, sorted."""
        return sorted(self._raised)
