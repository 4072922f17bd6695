"""A real Mosquitto broker on a free loopback port, started and stopped by whoever needs it.

Debian's ``mosquitto`` package is installed by ``scripts/setup``; nothing depends on a broker service
running on the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
import shutil
import socket
import subprocess
import tempfile
import time

MOSQUITTO_PATHS = ("/usr/sbin/mosquitto", "/usr/bin/mosquitto")


def mosquitto_binary() -> str | None:
    """Where Mosquitto is installed, or None."""
    return shutil.which("mosquitto") or next((p for p in MOSQUITTO_PATHS if Path(p).exists()), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Broker:
    """One Mosquitto process; :meth:`restart` stops it and starts a fresh one on the same port."""

    def __init__(self, binary: str, workdir: Path) -> None:
        """Listen on a free loopback port (anonymous, no persistence: a restart loses retained messages)."""
        self.binary = binary
        self.port = _free_port()
        self.config = workdir / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "max_queued_messages 100000\nmax_inflight_messages 0\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``mqtt://127.0.0.1:PORT``."""
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start and wait until the port accepts connections."""
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        """Stop the broker process."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        """A broker restart: every client is cut off and retained messages are gone."""
        self.stop()
        self.start()


@contextmanager
def running_broker() -> Iterator[Broker]:
    """A started broker, stopped on exit."""
    binary = mosquitto_binary()
    if binary is None:
        raise RuntimeError("mosquitto is not installed (scripts/setup installs Debian's package)")
    with tempfile.TemporaryDirectory() as workdir:
        broker = Broker(binary, Path(workdir))
        broker.start()
        try:
            yield broker
        finally:
            broker.stop()
