"""Set up and tear down a hub (one config entry) in Home Assistant; ``__init__`` calls in here."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .asset_kinds import ASSET_KINDS
from .blueprint_install import install_blueprints
from .bookings.manager import BookingManager
from .const import DOMAIN
from .core.plan_worker import PlanWorker
from .core.planner import PlanMaker, Planner, PlannerConfig
from .csms.server import CsmsServer
from .dashboard.api import async_setup_dashboard_api
from .dashboard.offer import async_offer_dashboard
from .dashboard.registration import async_register_frontend
from .ems.coordinator import EmsCoordinator
from .ems.price_fetch import ActionPriceFetcher
from .ems.solver_support import async_check_solver
from .entities.devices import VPP_IDENTIFIER, asset_identifier, evse_identifier, site_identifier
from .hub_config import HubConfig
from .hub_storage import async_remove_hub_storage
from .registry_compat import remove_device
from .runtime import SschConfigEntry, SschRuntimeData
from .services import async_setup_services
from .stations.bridge import StationEventRelay, async_start_server
from .stations.certificate_watch import async_watch_certificate
from .stations.charging_cards import async_load_cards, card_listener
from .stations.devices import async_describe_stations, boot_listener
from .stations.discovery import StationDiscovery, async_forget_stations
from .stations.server_keeper import server_keeper
from .vpp.community_services import async_setup_community_services
from .vpp.community_setup import async_join_community

PLATFORMS: tuple[Platform, ...] = (
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.DATETIME,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
)

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
# Plans are made in a child process that keeps the engine warm (``core.plan_worker``).
PLAN_IN_CHILD_PROCESS = True


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions and offer its blueprints; hubs themselves are config entries."""
    async_setup_services(hass)
    async_setup_community_services(hass)
    async_setup_dashboard_api(hass)
    await async_register_frontend(hass)
    await hass.async_add_executor_job(install_blueprints, hass.config.path())
    return True


async def async_create_runtime(hass: HomeAssistant, entry: SschConfigEntry) -> SschRuntimeData:
    """What a loaded hub holds: its OCPP server (kept over a reload, or started), EMS and bookings.

    Whatever needs releasing is registered with the entry's unload callbacks as it is made.
    """
    config = HubConfig.from_entry(entry)
    await async_check_solver(hass, config.engine)
    keeper = server_keeper(hass)
    server = await keeper.take(entry.entry_id, config) or await async_start_server(hass, config)

    async def release_server() -> None:
        await keeper.release(entry.entry_id, server, config)

    entry.async_on_unload(release_server)
    # Stations are told goodbye and their state saved when Home Assistant stops, not only on unload.
    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop_server(server)))
    entry.async_on_unload(StationEventRelay(hass, config).attach(server))
    await async_load_cards(hass, config, server)
    entry.async_on_unload(async_watch_certificate(hass, config))
    entry.async_on_unload(server.listen(card_listener(hass, config)))
    ems = EmsCoordinator(hass, entry, config, server, _planner(hass, entry.entry_id, config.engine))
    bookings = BookingManager(hass, config, ems)
    # Before the EMS hears of a plug-in: the booking's goal is in place when it plans the session.
    entry.async_on_unload(server.listen(bookings.handle_station_event))
    entry.async_on_unload(server.listen(ems.handle_station_event))
    entry.async_on_unload(ems.tracker.clear_all)
    return SschRuntimeData(config=config, server=server, ems=ems, bookings=bookings)


async def async_start(hass: HomeAssistant, entry: SschConfigEntry) -> None:
    """Restore the hub's state, make its first plan, then add its devices and entities."""
    config, server = entry.runtime_data.config, entry.runtime_data.server
    ems, bookings = entry.runtime_data.ems, entry.runtime_data.bookings
    await ems.async_restore()
    entry.async_on_unload(await ems.builder.solar.async_start())
    await bookings.async_restore()
    entry.async_on_unload(bookings.async_save)
    entry.async_on_unload(bookings.start())
    await ems.async_config_entry_first_refresh()
    # A forecast source that comes up after the hub (e.g. while Home Assistant starts) re-plans at once.
    ems.builder.solar.on_recovered = lambda: hass.async_create_task(
        ems.async_request_refresh(), eager_start=True
    )
    entry.async_on_unload(ems.start_dispatching())
    entry.async_on_unload(ems.follow_prices())
    entry.async_on_unload(_fetch_prices(hass, config, ems))
    _remove_stale_devices(hass, entry, config)
    await async_join_community(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_describe_stations(hass, config, server)
    entry.async_on_unload(server.listen(boot_listener(hass, config, server)))
    entry.async_on_unload(StationDiscovery(hass, entry, server).attach())
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_change))
    if HubConfig.from_entry(entry) != config:
        # Changed while loading (e.g. several chargers added in a row): the listener came too late.
        hass.config_entries.async_schedule_reload(entry.entry_id)
    await async_offer_dashboard(hass, entry)


def _fetch_prices(hass: HomeAssistant, config: HubConfig, ems: EmsCoordinator) -> CALLBACK_TYPE:
    """Prices some integrations give only through an action feed the plan; new ones re-plan it."""
    entities = [s.entity_id for s in (config.import_price, config.export_price) if s.entity_id]

    def replan() -> None:
        hass.async_create_task(ems.async_request_refresh(), eager_start=True)

    fetcher = ActionPriceFetcher(hass, entities, replan)
    ems.builder.prices.announced = fetcher.points
    stop = fetcher.start()

    def unload() -> None:
        stop()
        ems.builder.prices.clear()

    return unload


def _stop_server(server: CsmsServer) -> Callable[[Event], Coroutine[Any, Any, None]]:
    async def stop(_: Event) -> None:
        await server.stop()

    return stop


async def async_remove(hass: HomeAssistant, entry: SschConfigEntry) -> None:
    """The hub is deleted: drop its kept planner, any server held for it and its discovered stations."""
    planner = hass.data.get(DOMAIN, {}).pop(entry.entry_id, None)
    await hass.async_add_executor_job(_close, planner)
    await server_keeper(hass).drop(entry.entry_id)
    await async_remove_hub_storage(hass, entry.entry_id)
    await async_forget_stations(hass, entry.entry_id)


def device_is_removable(entry: SschConfigEntry, device: dr.DeviceEntry) -> bool:
    """Only devices that no longer belong to a configured asset may be deleted by hand."""
    return not device.identifiers & _expected_identifiers(HubConfig.from_entry(entry))


async def _async_reload_on_change(hass: HomeAssistant, entry: SschConfigEntry) -> None:
    """Subentries, options or site data changed: load the hub again with the new configuration.

    The OCPP server carries on through the reload when its own settings did not change.
    """
    keeper = server_keeper(hass)
    keeper.keep_on_next_unload(entry.entry_id)
    try:
        await hass.config_entries.async_reload(entry.entry_id)
    finally:
        keeper.forget_keep(entry.entry_id)


def _expected_identifiers(config: HubConfig) -> set[tuple[str, str]]:
    # The VPP device is shared by all hubs; whichever hub hosts it keeps it.
    ids = {site_identifier(config.entry_id), VPP_IDENTIFIER}
    ids.update(
        asset_identifier(config.entry_id, asset.subentry_id)
        for kind in ASSET_KINDS
        for asset in kind.assets(config)
    )
    for charger in config.chargers:
        ids.update(
            evse_identifier(config.entry_id, charger.subentry_id, evse)
            for evse in range(1, charger.evse_count + 1)
        )
    return ids


def _planner(hass: HomeAssistant, entry_id: str, engine: str) -> PlanMaker:
    """The hub's planner: its compiled QP outlives reloads (adding a charger reloads the hub) until the
    engine choice changes; it goes with the entry. It plans in a child process, so a solve never holds
    the event loop."""
    planners: dict[str, PlanMaker] = hass.data.setdefault(DOMAIN, {})
    planner = planners.get(entry_id)
    if planner is None or planner.config.engine != engine:
        if planner is not None:
            hass.async_add_executor_job(_close, planner)
        config = PlannerConfig(engine=engine)
        planner = planners[entry_id] = PlanWorker(config) if PLAN_IN_CHILD_PROCESS else Planner(config)
    return planner


def _close(planner: PlanMaker | None) -> None:
    if isinstance(planner, PlanWorker):
        planner.close()


def _remove_stale_devices(hass: HomeAssistant, entry: SschConfigEntry, config: HubConfig) -> None:
    """Drop devices left behind by a smaller configuration, e.g. a charger with fewer EVSEs."""
    registry = dr.async_get(hass)
    expected = _expected_identifiers(config)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if device.identifiers and not device.identifiers & expected:
            remove_device(registry, device, entry.entry_id)
