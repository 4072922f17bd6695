"""Grid operator signals: temporary import/export limits (DSO curtailment, §14a-style dimming)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from .model import FloatArray, StepGrid


@dataclass(frozen=True, slots=True)
class GridSignal:
    """During [start, end) the site may import / export at most the given kW (None: unchanged)."""

    start: datetime
    end: datetime | None
    import_limit_kw: float | None = None
    export_limit_kw: float | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise ValueError("a grid signal must end after it starts")
        for value in (self.import_limit_kw, self.export_limit_kw):
            if value is not None and value < 0:
                raise ValueError("grid limits are magnitudes and cannot be negative")

    def active_at(self, moment: datetime) -> bool:
        """Whether the signal applies at ``moment``."""
        return self.start <= moment and (self.end is None or moment < self.end)

    def expired_at(self, moment: datetime) -> bool:
        """Whether the signal is over by ``moment``."""
        return self.end is not None and self.end <= moment

    def to_dict(self) -> dict[str, str | float | None]:
        """JSON-ready form."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "import_limit_kw": self.import_limit_kw,
            "export_limit_kw": self.export_limit_kw,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str | float | None]) -> GridSignal:
        """Inverse of :meth:`to_dict`."""
        end = data.get("end")
        imp, exp = data.get("import_limit_kw"), data.get("export_limit_kw")
        return cls(
            start=datetime.fromisoformat(str(data["start"])).astimezone(UTC),
            end=datetime.fromisoformat(str(end)).astimezone(UTC) if end else None,
            import_limit_kw=None if imp is None else float(imp),
            export_limit_kw=None if exp is None else float(exp),
        )


def limits_at(
    moment: datetime, import_kw: float, export_kw: float, signals: Iterable[GridSignal]
) -> tuple[float, float]:
    """The connection limits at ``moment``: the tightest of the connection and every active signal."""
    for signal in signals:
        if signal.active_at(moment):
            if signal.import_limit_kw is not None:
                import_kw = min(import_kw, signal.import_limit_kw)
            if signal.export_limit_kw is not None:
                export_kw = min(export_kw, signal.export_limit_kw)
    return import_kw, export_kw


def limit_series(
    grid: StepGrid, import_kw: float, export_kw: float, signals: Iterable[GridSignal]
) -> tuple[FloatArray, FloatArray]:
    """Limits per plan step; a signal covering any part of a step limits the whole step."""
    active = list(signals)
    imports = np.full(grid.steps, import_kw)
    exports = np.full(grid.steps, export_kw)
    for k, start in enumerate(grid.times()):
        end = start + grid.step_delta
        for signal in active:
            if signal.start < end and (signal.end is None or signal.end > start):
                if signal.import_limit_kw is not None:
                    imports[k] = min(imports[k], signal.import_limit_kw)
                if signal.export_limit_kw is not None:
                    exports[k] = min(exports[k], signal.export_limit_kw)
    return imports, exports
