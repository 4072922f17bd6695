"""Coarser QP steps later in the horizon: the first steps keep the plan's resolution, the rest are
merged into blocks. Near-term decisions stay exact while the problem shrinks about threefold."""

from __future__ import annotations

from dataclasses import dataclass
import math

import numpy as np
from numpy.typing import NDArray

from .model import FloatArray


@dataclass(frozen=True, slots=True)
class BlockLayout:
    """How many plan steps each QP step covers."""

    lengths: tuple[int, ...]
    step_hours: float

    @property
    def block_hours(self) -> tuple[float, ...]:
        return tuple(length * self.step_hours for length in self.lengths)

    @property
    def _starts(self) -> NDArray[np.intp]:
        return np.concatenate(([0], np.cumsum(self.lengths)[:-1])).astype(np.intp)

    @property
    def _sizes(self) -> FloatArray:
        return np.array(self.lengths, dtype=np.float64)

    def mean(self, values: FloatArray) -> FloatArray:
        out: FloatArray = np.add.reduceat(values, self._starts, axis=-1) / self._sizes
        return out

    def minimum(self, values: FloatArray) -> FloatArray:
        out: FloatArray = np.minimum.reduceat(values, self._starts, axis=-1)
        return out

    def maximum(self, values: FloatArray) -> FloatArray:
        out: FloatArray = np.maximum.reduceat(values, self._starts, axis=-1)
        return out

    def last(self, values: FloatArray) -> FloatArray:
        out: FloatArray = values[..., np.cumsum(self.lengths) - 1]
        return out

    def repeat(self, values: FloatArray) -> FloatArray:
        out: FloatArray = np.repeat(values, self.lengths, axis=-1)
        return out

    def spread(self, values: FloatArray, weights: FloatArray) -> FloatArray:
        """Plan-step powers carrying each block's energy, in proportion to ``weights`` (e.g. the
        steps' power bounds, so a car gets no power in the part of a block it is away)."""
        totals = np.add.reduceat(weights, self._starts, axis=-1)
        energy = values * self._sizes
        scale = np.divide(energy, totals, out=np.zeros_like(energy), where=totals > 0)
        out: FloatArray = weights * self.repeat(scale)
        return out


def block_layout(steps: int, step_hours: float, fine_steps: int, coarse_factor: int) -> BlockLayout:
    fine = min(steps, max(0, fine_steps))
    factor = max(1, coarse_factor)
    rest = steps - fine
    lengths = [1] * fine + [factor] * (rest // factor)
    if rest % factor:
        lengths.append(rest % factor)
    return BlockLayout(tuple(lengths), step_hours)


def block_count(steps: int, fine_steps: int, coarse_factor: int) -> int:
    fine = min(steps, max(0, fine_steps))
    return fine + math.ceil((steps - fine) / max(1, coarse_factor))
