"""Readable logbook entries for the hub's own events (the plan's frequent changes are left out)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .ems.events import EVENT_FLEXIBILITY, EVENT_GRID_SIGNAL, EVENT_SESSION_READY, EVENT_TARGET_AT_RISK
from .stations.bridge import EVENT_CHARGER_FAULT

if TYPE_CHECKING:
    from homeassistant.components.logbook.models import LazyEventPartialState

type Data = Mapping[str, Any]
type Describer = Callable[[LazyEventPartialState], dict[str, str]]


def _kwh(value: Any) -> str:
    return f"{float(value):.1f} kWh"


def _kw(value: Any) -> str:
    return f"{float(value):g} kW"


def _local_time(value: Any) -> str:
    moment = dt_util.parse_datetime(str(value))
    return dt_util.as_local(moment).strftime("%H:%M") if moment is not None else str(value)


def _evse(data: Data) -> str:
    """The charger, with the EVSE when the event names one."""
    charger = str(data.get("charger") or data.get("station_id"))
    return f"{charger} EVSE {data['evse_id']}" if data.get("evse_id") else charger


def car_ready(data: Data) -> tuple[str, str]:
    """A session reached its target."""
    message = f"reached its charging target: {_kwh(data['energy_kwh'])} charged"
    if data.get("soc") is not None:
        message += f", battery at {float(data['soc']):.0f} %"
    return _evse(data), message


def target_at_risk(data: Data) -> tuple[str, str]:
    """A session will probably miss its target."""
    expected, target = float(data["expected_energy_kwh"]), float(data["target_energy_kwh"])
    message = f"may miss its charging target: {expected:.1f} of {_kwh(target)} expected"
    if data.get("reason"):
        message += f" ({data['reason']})"
    return _evse(data), message


def charger_fault(data: Data) -> tuple[str, str]:
    """A station reported a fault, or that one is cleared."""
    fault = str(data.get("component") or "fault")
    if data.get("detail"):
        fault += f" ({data['detail']})"
    return _evse(data), f"{'cleared a fault' if data.get('cleared') else 'reported a fault'}: {fault}"


def grid_signal(data: Data) -> tuple[str, str]:
    """The grid operator's signal started or ended."""
    if data.get("state") != "started":
        return str(data["hub"]), "grid signal ended"
    limits = [
        f"{direction} limited to {_kw(data[key])}"
        for direction, key in (("import", "import_limit_kw"), ("export", "export_limit_kw"))
        if data.get(key) is not None
    ]
    return str(data["hub"]), "grid signal started" + (f": {', '.join(limits)}" if limits else "")


def flexibility(data: Data) -> tuple[str, str]:
    """A flexibility commitment was made, started or ended."""
    what = f"{_kw(data['committed_kw'])} {data['direction']}"
    state = data.get("state")
    if state == "committed":
        window = f"{_local_time(data['start'])} to {_local_time(data['end'])}"
        return str(data["hub"]), f"committed {what} of flexibility from {window}"
    if state == "started":
        return str(data["hub"]), f"flexibility commitment of {what} started"
    return str(data["hub"]), (
        f"flexibility commitment of {what} ended: {_kwh(data['delivered_kwh'])} delivered, "
        f"revenue {float(data['revenue']):.2f}"
    )


DESCRIPTIONS: dict[str, Callable[[Data], tuple[str, str]]] = {
    EVENT_SESSION_READY: car_ready,
    EVENT_TARGET_AT_RISK: target_at_risk,
    EVENT_CHARGER_FAULT: charger_fault,
    EVENT_GRID_SIGNAL: grid_signal,
    EVENT_FLEXIBILITY: flexibility,
}


def _describer(describe: Callable[[Data], tuple[str, str]]) -> Describer:
    @callback
    def entry(event: LazyEventPartialState) -> dict[str, str]:
        try:
            name, message = describe(event.data)
        except (KeyError, TypeError, ValueError):
            # An event without the details this version expects (an earlier version's, say): the
            # logbook still lists it, by its type.
            kind = str(event.event_type or "").removeprefix(f"{DOMAIN}_").replace("_", " ")
            name, message = str(event.data.get("hub") or DOMAIN), kind
        return {LOGBOOK_ENTRY_NAME: name, LOGBOOK_ENTRY_MESSAGE: message}

    return entry


@callback
def async_describe_events(
    hass: HomeAssistant, async_describe_event: Callable[[str, str, Describer], None]
) -> None:
    """Describe the hub's events for the logbook."""
    for event_type, describe in DESCRIPTIONS.items():
        async_describe_event(DOMAIN, event_type, _describer(describe))
