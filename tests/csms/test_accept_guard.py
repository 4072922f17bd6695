"""Running out of file descriptors is reported once per episode, not once a second."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import pytest

from custom_components.ssch.csms.accept_guard import AcceptFailureReporter

ACCEPT_FAILED = "socket.accept() out of system resource"


async def test_accept_failures_are_reported_once_and_others_passed_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: seen.append(context))
    with socket.socket() as listening, socket.socket() as other:
        reporter = AcceptFailureReporter(loop, lambda: [listening])
        reporter.install()
        failure = OSError(24, "Too many open files")
        with caplog.at_level(logging.ERROR):
            for _ in range(5):
                loop.call_exception_handler(
                    {
                        "message": "socket.accept() out of system resource",
                        "exception": failure,
                        "socket": listening,
                    }
                )
        loop.call_exception_handler({"message": ACCEPT_FAILED, "socket": other})
        loop.call_exception_handler({"message": "something else"})
        reporter.uninstall()
    loop.set_exception_handler(previous)
    assert caplog.text.count("no file descriptors left") == 1
    assert reporter.suppressed == 4
    assert [context["message"] for context in seen] == [
        "socket.accept() out of system resource",
        "something else",
    ]


async def test_without_a_previous_handler_the_loop_default_is_used(caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(None)
    reporter = AcceptFailureReporter(loop, list)
    reporter.install()
    with caplog.at_level(logging.ERROR):
        loop.call_exception_handler({"message": "passed to the default handler"})
    reporter.uninstall()
    assert loop.get_exception_handler() is None
    loop.set_exception_handler(previous)
    assert "passed to the default handler" in caplog.text
