"""The integer transaction ids the hub gives OCPP 1.6 stations, unique and repeatable."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_REMEMBERED_STARTS = 32
# Ids never fall below the seconds since this date: a hub that lost its state does not hand out an
# id a station may still hold. They stay far below 2**31 (signed 32-bit) until 2092.
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class TransactionIds:
    """The last id given and the recent starts, so a StartTransaction sent again gets the same id."""

    last_id: int = 0
    recent: OrderedDict[str, int] = field(default_factory=OrderedDict)

    def assign(self, start_key: str, now: datetime) -> tuple[int, bool]:
        """The id for a start; the flag tells that this start was seen before."""
        known = self.recent.get(start_key)
        if known is not None:
            return known, True
        self.last_id = max(self.last_id + 1, int((now - _EPOCH).total_seconds()))
        self.recent[start_key] = self.last_id
        while len(self.recent) > _REMEMBERED_STARTS:
            self.recent.popitem(last=False)
        return self.last_id, False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"last_id": self.last_id, "recent": [[key, value] for key, value in self.recent.items()]}

    @classmethod
    def from_dict(cls, data: object) -> TransactionIds:
        """Rebuild from :meth:`to_dict`; anything unreadable starts empty."""
        if not isinstance(data, dict):
            return cls()
        recent: OrderedDict[str, int] = OrderedDict()
        for item in data.get("recent", []):
            if isinstance(item, list) and len(item) == 2 and isinstance(item[1], int):
                recent[str(item[0])] = item[1]
        last_id = data.get("last_id", 0)
        return cls(last_id if isinstance(last_id, int) else 0, recent)


def start_key(connector_id: int, id_tag: str, meter_start: int, timestamp: str) -> str:
    """What makes a StartTransaction the same one when it is sent again after a reconnect."""
    return f"{connector_id}|{id_tag}|{meter_start}|{timestamp}"
