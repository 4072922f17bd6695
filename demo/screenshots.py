"""Screenshots of a running demo for the README and the browser test, taken with headless Chromium.

    .venv/bin/python -m demo.screenshots --password <the password the demo printed>

writes docs/images/*.png; ``python -m demo.regenerate_images`` starts a demo for it.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict, dataclass
import json
from pathlib import Path
import sys

import aiohttp

from demo.auth import log_in
from demo.browser import Browser, has_element
from demo.dashboard import URL_PATH
from demo.plan_card import card_screenshots
from demo.settings import ROOT, USERNAME

IMAGES = ROOT / "docs" / "images"
SIZE = (1400, 1300)

# What a rendered dashboard holds: card element names and card titles, through every shadow root.
CARDS_JS = """elements
  .map((element) => element.tagName.toLowerCase())
  .filter((tag) => tag.startsWith('hui-') && tag.endsWith('-card'))"""
TITLES_JS = """elements
  .map((element) => (element.tagName.toLowerCase() === 'ha-card' && element.header)
    || (element.classList.contains('card-header') && element.textContent.trim()))
  .filter((title) => title)"""
WARNINGS_JS = """elements
  .filter((element) => element.tagName.toLowerCase() === 'hui-warning')
  .map((element) => element.textContent.trim())"""
TILE_NAMES_JS = """elements
  .filter((element) => element.tagName.toLowerCase() === 'hui-tile-card' && element._config)
  .map((element) => element._config.name)"""

OK_BUTTONS_JS = """elements
  .filter((element) => element.tagName.toLowerCase() === 'ha-button'
    && element.textContent.trim().toUpperCase() === 'OK')"""

# The hub's own menu: the one that offers to add assets.
HUB_MENU_JS = """elements
  .filter((element) => element.tagName.toLowerCase() === 'ha-md-button-menu'
    && element.textContent.includes('Add charger'))
  .slice(0, 1)"""

ADD_CHARGER_JS = """elements
  .filter((element) => element.tagName.toLowerCase() === 'ha-md-menu-item'
    && element.textContent.trim() === 'Add charger')
  .slice(0, 1)"""


@dataclass(frozen=True, slots=True)
class RenderedDashboard:
    """What the browser found on the dashboard."""

    cards: list[str]
    titles: list[str]
    tiles: list[str]
    warnings: list[str]


async def sign_in(browser: Browser, session: aiohttp.ClientSession, url: str, password: str) -> None:
    """Sign the browser in as the demo user."""
    await browser.log_in(url, await log_in(session, url, USERNAME, password))


async def dashboard(browser: Browser, url: str, path: Path, expected_tiles: int) -> RenderedDashboard:
    """Open the hub's dashboard, wait until its cards and chart are drawn, and save a screenshot."""
    await browser.goto(f"{url}/{URL_PATH}/overview")
    await browser.wait_for_deep(f"{TILE_NAMES_JS}.length >= {expected_tiles}")
    await browser.wait_for_deep(has_element("ha-chart-base"))
    await asyncio.sleep(3)  # the chart animates in
    await browser.screenshot(path)
    return RenderedDashboard(
        cards=await browser.deep(CARDS_JS),
        titles=await browser.deep(TITLES_JS),
        tiles=await browser.deep(TILE_NAMES_JS),
        warnings=await browser.deep(WARNINGS_JS),
    )


async def config_flow(browser: Browser, url: str, path: Path) -> None:
    """The first form of *Add integration* for the hub, after confirming the start of the set-up."""
    await browser.goto(f"{url}/config/integrations/dashboard/add?domain=ssch")
    await browser.wait_for_deep(f"{OK_BUTTONS_JS}.length > 0")
    await browser.deep(f"{OK_BUTTONS_JS}.map((button) => button.click())")
    await browser.wait_for_deep(has_element("ha-form"))
    await asyncio.sleep(2)
    await browser.screenshot(path)


async def hub_page(browser: Browser, url: str, path: Path) -> None:
    """The hub's integration page: its assets, and its menu open at *Add charger*, *Add PV*, ..."""
    await browser.goto(f"{url}/config/integrations/integration/ssch")
    await browser.wait_for_deep(f"{HUB_MENU_JS}.length > 0")
    await asyncio.sleep(2)
    await browser.deep(f"{HUB_MENU_JS}.map((menu) => menu.querySelector('[slot=trigger]').click())")
    await asyncio.sleep(2)
    await browser.screenshot(path)


async def add_charger_form(browser: Browser, path: Path) -> None:
    """The *Add charger* form, opened from the hub's menu (call after :func:`hub_page`)."""
    await browser.deep(f"{ADD_CHARGER_JS}.map((item) => item.click())")
    await browser.wait_for_deep(has_element("ha-form"))
    await asyncio.sleep(2)
    await browser.screenshot(path)


async def capture(
    url: str, password: str, expected_tiles: int, folder: Path, *, dashboard_only: bool = False
) -> RenderedDashboard:
    """The README's screenshots of a running demo (or only the dashboard's)."""
    async with aiohttp.ClientSession() as session, Browser(session, *SIZE) as browser:
        await sign_in(browser, session, url, password)
        rendered = await dashboard(browser, url, folder / "dashboard.png", expected_tiles)
        if not dashboard_only:
            await card_screenshots(browser, url, f"{URL_PATH}/overview", folder)
            await hub_page(browser, url, folder / "hub-page.png")
            await add_charger_form(browser, folder / "add-charger.png")
            await config_flow(browser, url, folder / "config-flow.png")
    return rendered


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots of a demo that is already running."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--password", required=True, help="the password the demo printed")
    parser.add_argument("--tiles", type=int, default=16, help="charger tiles the dashboard must show")
    parser.add_argument("--out", type=Path, default=IMAGES)
    parser.add_argument("--dashboard-only", action="store_true", help="only dashboard.png")
    parser.add_argument("--json", action="store_true", help="print what the dashboard rendered as JSON")
    args = parser.parse_args(argv)
    rendered = asyncio.run(
        capture(args.url, args.password, args.tiles, args.out, dashboard_only=args.dashboard_only)
    )
    if args.json:
        print(json.dumps(asdict(rendered)))
    else:
        print(f"{len(rendered.cards)} cards, titles {rendered.titles}; images in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
