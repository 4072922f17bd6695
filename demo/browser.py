"""Headless Chromium (Debian's ``chromium``) driven over the DevTools protocol, on loopback only."""

from __future__ import annotations

import asyncio
import base64
from itertools import count
import json
from pathlib import Path
import shutil
import tempfile
import time
from types import TracebackType
from typing import Any, Self

import aiohttp

from demo.ports import free_port

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    # Nothing leaves the machine: every host name but loopback fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--remote-debugging-address=127.0.0.1",
)

# Walks every shadow root: Home Assistant's frontend is made of nested web components.
DEEP_QUERY = """
(() => {
  const found = [];
  const walk = (root) => {
    for (const element of root.querySelectorAll('*')) {
      found.push(element);
      if (element.shadowRoot) walk(element.shadowRoot);
    }
  };
  walk(document);
  return found;
})()
"""


def browser_available() -> bool:
    """Whether Debian's Chromium is installed (./scripts/setup installs it)."""
    return Path(CHROMIUM).is_file()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class Browser:
    """One headless Chromium with a fresh profile and one page, closed on exit."""

    def __init__(self, session: aiohttp.ClientSession, width: int = 1400, height: int = 1000) -> None:
        """Prepare a browser with a ``width`` x ``height`` window."""
        self._session = session
        self._size = (width, height)
        self._profile = Path(tempfile.mkdtemp(prefix="ssch-chromium-"))
        self._port = free_port()
        self._process: asyncio.subprocess.Process | None = None
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._ids = count(1)
        # Errors the page logged or threw, in the order they came (read them with :meth:`console_errors`).
        self._errors: list[str] = []

    async def __aenter__(self) -> Self:
        self._process = await asyncio.create_subprocess_exec(
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={self._profile}",
            f"--remote-debugging-port={self._port}",
            f"--window-size={self._size[0]},{self._size[1]}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        page = await self._page_target()
        self._socket = await self._session.ws_connect(page, max_msg_size=0)
        await self.send("Page.enable")
        await self.send("Runtime.enable")
        await self.send("Log.enable")
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=self._size[0],
            height=self._size[1],
            deviceScaleFactor=1,
            mobile=False,
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            try:
                await asyncio.wait_for(self._process.wait(), 10)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()
        await asyncio.to_thread(shutil.rmtree, self._profile, True)

    async def _page_target(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                async with self._session.get(f"http://127.0.0.1:{self._port}/json/list") as response:
                    targets = await response.json(content_type=None)
                pages = [target for target in targets if target.get("type") == "page"]
                if pages:
                    return str(pages[0]["webSocketDebuggerUrl"])
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise RuntimeError("Chromium did not open its DevTools endpoint")

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command; events in between are skipped, but the page's errors are kept."""
        if self._socket is None:
            raise RuntimeError("the browser is not running")
        message_id = next(self._ids)
        await self._socket.send_str(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads((await self._socket.receive()).data)
            self._note_error(message)
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def _note_error(self, message: dict[str, Any]) -> None:
        params = message.get("params", {})
        if message.get("method") == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self._errors.append(" ".join(_console_text(arg) for arg in params.get("args", [])))
        elif message.get("method") == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            thrown = details.get("exception", {}).get("description") or details.get("text", "")
            self._errors.append(f"uncaught: {thrown}")
        elif message.get("method") == "Log.entryAdded":
            entry = params.get("entry", {})
            # Failed requests are left to the tests that need a resource; the rest (e.g. an invalid SVG
            # attribute) counts.
            if entry.get("level") == "error" and entry.get("source") != "network":
                self._errors.append(f"{entry.get('source')}: {entry.get('text')}")

    async def console_errors(self) -> list[str]:
        """What the page logged with ``console.error``, threw without catching, or the browser reported
        as an error of the page (other than a failed request), so far."""
        await self.evaluate("0")  # take in the events that came since the last command
        return list(self._errors)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def goto(self, url: str) -> None:
        """Open ``url`` and wait for its document to load."""
        await self.send("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete'")

    async def wait_for(self, expression: str, timeout_s: float = 60.0) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page never satisfied: {expression}")
            await asyncio.sleep(0.5)

    async def log_in(self, url: str, tokens: dict[str, Any]) -> None:
        """Sign the page in to Home Assistant with tokens from its auth API (what the login page stores)."""
        await self.goto(f"{url}/auth/authorize?response_type=code&client_id={url}/")
        stored = tokens | {
            "hassUrl": url,
            "clientId": f"{url}/",
            "expires": int(time.time() * 1000) + int(tokens.get("expires_in", 1800)) * 1000,
        }
        await self.evaluate(f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(stored))})")

    async def screenshot(self, path: Path, clip: dict[str, float] | None = None) -> None:
        """Save what the page shows as a PNG, or only the ``clip`` rectangle (x, y, width, height)."""
        options: dict[str, Any] = {"format": "png"}
        if clip is not None:
            options |= {"clip": clip | {"scale": 1}, "captureBeyondViewport": True}
        result = await self.send("Page.captureScreenshot", **options)
        await asyncio.to_thread(_write, path, base64.b64decode(result["data"]))

    async def emulate(
        self, width: int, height: int, *, mobile: bool = False, dark: bool = False, scale: float = 1
    ) -> None:
        """Show the page as a screen of this size would, in the light or dark colour scheme."""
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=scale,
            mobile=mobile,
        )
        await self.send(
            "Emulation.setEmulatedMedia",
            features=[{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}],
        )

    async def time_zone(self, zone: str) -> None:
        """Let the page's clock run in ``zone`` (e.g. the one Home Assistant is set to)."""
        await self.send("Emulation.setTimezoneOverride", timezoneId=zone)

    async def deep(self, javascript_filter: str) -> Any:
        """Evaluate ``javascript_filter`` (using ``elements``) over every element, shadow roots included."""
        return await self.evaluate(_over_elements(javascript_filter))

    async def wait_for_deep(self, javascript_filter: str, timeout_s: float = 60.0) -> Any:
        """Like :meth:`wait_for`, over every element (``elements``), shadow roots included."""
        return await self.wait_for(_over_elements(javascript_filter), timeout_s)


def _console_text(argument: dict[str, Any]) -> str:
    return str(argument.get("value", argument.get("description", argument.get("type", ""))))


def _over_elements(javascript_filter: str) -> str:
    return f"(() => {{ const elements = {DEEP_QUERY}; return {javascript_filter}; }})()"


def has_element(tag: str) -> str:
    """A filter (for :meth:`Browser.wait_for_deep`) that holds once an element ``tag`` exists."""
    return f"elements.some((element) => element.tagName.toLowerCase() === {tag!r})"
