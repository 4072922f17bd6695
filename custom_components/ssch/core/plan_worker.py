"""Planning in a child process that keeps the engine warm, so a solve never holds the hub's interpreter.

A solver called from Python keeps the interpreter (PIQP holds it for the whole solve, about 90 ms at 100
chargers), and so does cvxpy's own work: in Home Assistant that delays the event loop and every OCPP
message behind it. ``PlanWorker`` sends each snapshot to ``python -m custom_components.ssch.core.plan_worker``
and reads the plan back, framed pickles over the child's stdin and stdout. The child keeps its
``Planner`` (the compiled problem, the previous plan for the shifted-plan fallback) between plans and ends
when its stdin closes, so it never outlives the hub's process.

If the child cannot start, dies or does not answer in time, the plan is made in this process by a
``Planner`` of the same configuration: a hub is never without a plan.
"""

from __future__ import annotations

from dataclasses import dataclass
import logging
import os
from pathlib import Path
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from typing import IO, Any

from .model import Plan, SiteSnapshot
from .planner import Planner, PlannerConfig

_LOGGER = logging.getLogger(__name__)
_HEADER = struct.Struct(">I")
_MODULE = "custom_components.ssch.core.plan_worker"
# The package root that holds ``custom_components``: the child imports the integration from there.
_IMPORT_ROOT = Path(__file__).resolve().parents[3]
# After this many failures in a row the worker stays in-process until the hub is reloaded.
_MAX_FAILURES = 3
_START_TIMEOUT_S = 120.0


class WorkerError(RuntimeError):
    """The child process failed, ended or did not answer in time."""


@dataclass(frozen=True, slots=True)
class _Request:
    action: str
    payload: Any = None


def _write(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    descriptor = stream.fileno()
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([descriptor], [], [], wait)[0]:
                raise WorkerError("the planning process did not answer in time")
        chunk = os.read(descriptor, remaining)
        if not chunk:
            raise WorkerError("the planning process ended")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read(stream: IO[bytes], deadline: float | None = None) -> Any:
    (size,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size, deadline))
    return pickle.loads(_read_exactly(stream, size, deadline))


class PlanWorker:
    """A ``Planner`` in a child process; ``plan`` blocks (call it from an executor thread)."""

    def __init__(self, config: PlannerConfig | None = None, *, answer_timeout_s: float = 60.0) -> None:
        self.config = config or PlannerConfig()
        self.answer_timeout_s = answer_timeout_s
        self.local = Planner(self.config)
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._failures = 0
        self._closed = False
        self._unsent_restore = False

    @property
    def in_process(self) -> bool:
        """Whether plans are made in this process (the child failed too often, or was closed)."""
        return self._closed or self._failures >= _MAX_FAILURES

    def plan(self, snapshot: SiteSnapshot) -> Plan:
        """The plan for ``snapshot``, made by the child when it works, else here."""
        with self._lock:
            if not self.in_process:
                try:
                    if self._unsent_restore:
                        self._ask(_Request("restore", self.local.previous_plan))
                        self._unsent_restore = False
                    plan = self._ask(_Request("plan", snapshot))
                except WorkerError as err:
                    self._failed(err)
                else:
                    self._failures = 0
                    if not isinstance(plan, Plan):
                        raise TypeError(f"the planning process answered {type(plan).__name__}")
                    self.local.restore(plan)
                    return plan
            return self.local.plan(snapshot)

    def restore(self, plan: Plan) -> None:
        """Seed both planners with a persisted plan (the shifted-plan fallback starts from it). The
        child hears of it with the next plan request: this runs on Home Assistant's event loop, where
        starting the child would block."""
        with self._lock:
            self.local.restore(plan)
            self._unsent_restore = True

    def close(self) -> None:
        """End the child; later plans are made in this process."""
        with self._lock:
            self._closed = True
            self._stop()

    def _ask(self, request: _Request) -> Any:
        process = self._started()
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            _write(process.stdin, request)
            kind, payload, records = _read(process.stdout, time.monotonic() + self.answer_timeout_s)
        except (OSError, EOFError, pickle.PickleError, struct.error) as err:
            raise WorkerError(f"the planning process failed: {err}") from err
        for level, name, message in records:
            logging.getLogger(name).log(level, "%s", message)
        if kind == "error":
            raise WorkerError(f"the planning process could not plan: {payload}")
        return payload

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", _MODULE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=_IMPORT_ROOT,
                env=os.environ | {"PYTHONPATH": _python_path()},
            )
        except OSError as err:
            raise WorkerError(f"the planning process could not start: {err}") from err
        self._process = process
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            _write(process.stdin, self.config)
            kind, _, _ = _read(process.stdout, time.monotonic() + _START_TIMEOUT_S)
        except (OSError, EOFError, pickle.PickleError, struct.error) as err:
            raise WorkerError(f"the planning process did not start: {err}") from err
        if kind != "ready":
            raise WorkerError(f"the planning process did not start: {kind}")
        return process

    def _failed(self, err: WorkerError) -> None:
        self._failures += 1
        self._unsent_restore = self.local.previous_plan is not None
        self._stop()
        if self._failures >= _MAX_FAILURES:
            _LOGGER.warning("%s; planning in Home Assistant's process from now on", err)
        else:
            _LOGGER.warning("%s; this plan is made in Home Assistant's process", err)

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _python_path() -> str:
    parts = [str(_IMPORT_ROOT), *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)]
    return os.pathsep.join(parts)


class _Records(logging.Handler):
    """Keeps the child's log records of one request; they go back with the answer."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[int, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.name, record.getMessage()))

    def take(self) -> list[tuple[int, str, str]]:
        records, self.records = self.records, []
        return records


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """The child's loop: a ``PlannerConfig`` first, then requests until stdin closes. The package's log
    records go back with each answer instead of to the child's stderr."""
    records = _Records()
    # The child runs as ``__main__``: the integration's loggers are named after its modules.
    package = logging.getLogger(Planner.__module__.rsplit(".", 2)[0])
    saved = package.level, package.propagate
    package.addHandler(records)
    package.setLevel(logging.INFO)
    package.propagate = False
    try:
        _serve(stdin, stdout, records)
    finally:
        package.removeHandler(records)
        package.setLevel(saved[0])
        package.propagate = saved[1]


def _serve(stdin: IO[bytes], stdout: IO[bytes], records: _Records) -> None:
    try:
        config = _read(stdin)
    except WorkerError:
        return
    planner = Planner(config if isinstance(config, PlannerConfig) else PlannerConfig())
    _write(stdout, ("ready", None, []))
    while True:
        try:
            request = _read(stdin)
        except WorkerError:
            return  # the hub's process closed the pipe: this child's work is done
        answer: tuple[str, Any]
        try:
            if request.action == "restore":
                planner.restore(request.payload)
                answer = ("ok", None)
            else:
                answer = ("plan", planner.plan(request.payload))
        except Exception as err:
            answer = ("error", repr(err))
        _write(stdout, (*answer, records.take()))


def main() -> None:
    """Serve the parent on a private copy of stdout: whatever a library prints goes to stderr instead."""
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, protocol)


if __name__ == "__main__":
    main()
