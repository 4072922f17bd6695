"""Which ``seqNo`` of a transaction's events have been seen: duplicates are recognised, gaps noticed."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

# Events far ahead of the contiguous part are rare (a station's queue replayed out of order); beyond
# this many the oldest gap is given up so a broken counter cannot grow the record without bound.
_MAX_AHEAD = 256
# Ended transactions remembered per station, so late or repeated events cannot reopen them.
MAX_ENDED_REMEMBERED = 32


@dataclass(slots=True)
class SeqTracker:
    """Every seqNo up to :attr:`contiguous` was seen, plus the ones in :attr:`ahead`."""

    contiguous: int = -1
    ahead: set[int] = field(default_factory=set)

    def seen(self, seq_no: int) -> bool:
        """Whether an event with this seqNo was already taken in."""
        return seq_no <= self.contiguous or seq_no in self.ahead

    def add(self, seq_no: int) -> bool:
        """Take in one seqNo; returns ``True`` when it leaves a gap (an event is missing before it)."""
        if self.seen(seq_no):
            return False
        gap = seq_no > self.contiguous + 1
        self.ahead.add(seq_no)
        while self.contiguous + 1 in self.ahead:
            self.contiguous += 1
            self.ahead.discard(self.contiguous)
        if len(self.ahead) > _MAX_AHEAD:
            self.contiguous = min(self.ahead)
            self.ahead.discard(self.contiguous)
        return gap

    def to_list(self) -> list[Any]:
        """JSON-ready form."""
        return [self.contiguous, sorted(self.ahead)]

    @classmethod
    def from_list(cls, data: object) -> SeqTracker:
        """Rebuild from :meth:`to_list`; anything else starts empty."""
        if (
            isinstance(data, list)
            and len(data) == 2
            and isinstance(data[0], int)
            and isinstance(data[1], list)
        ):
            return cls(data[0], {value for value in data[1] if isinstance(value, int)})
        return cls()


class EndedTransactions:
    """The last transactions a station ended, with the seqNos they had."""

    def __init__(self) -> None:
        self._ended: OrderedDict[str, SeqTracker] = OrderedDict()

    def __contains__(self, transaction_id: object) -> bool:
        return transaction_id in self._ended

    def remember(self, transaction_id: str, sequence: SeqTracker) -> None:
        """Keep an ended transaction; the oldest is forgotten beyond the bound."""
        self._ended[transaction_id] = sequence
        self._ended.move_to_end(transaction_id)
        while len(self._ended) > MAX_ENDED_REMEMBERED:
            self._ended.popitem(last=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, oldest first."""
        return {transaction_id: sequence.to_list() for transaction_id, sequence in self._ended.items()}

    @classmethod
    def from_dict(cls, data: object) -> EndedTransactions:
        """Rebuild from :meth:`to_dict`; anything else starts empty."""
        ended = cls()
        if isinstance(data, dict):
            for transaction_id, sequence in data.items():
                ended.remember(str(transaction_id), SeqTracker.from_list(sequence))
        return ended
