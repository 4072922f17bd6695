"""Energy cost of the local day and month, realised and for the uncontrolled counterfactual."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .kpi_tracker_steps import finite


def day_key(local: datetime) -> str:
    return local.date().isoformat()


def month_key(local: datetime) -> str:
    return f"{local.year:04d}-{local.month:02d}"


@dataclass(slots=True)
class PeriodCost:
    """Energy cost of one local calendar period, realised and uncontrolled."""

    key: str = ""
    cost_eur: float = 0.0
    uncontrolled_cost_eur: float = 0.0

    def add(self, key: str, cost_eur: float, uncontrolled_cost_eur: float) -> None:
        if key != self.key:
            self.key, self.cost_eur, self.uncontrolled_cost_eur = key, 0.0, 0.0
        self.cost_eur += cost_eur
        self.uncontrolled_cost_eur += uncontrolled_cost_eur

    def cost_and_savings(self, key: str) -> tuple[float, float]:
        if key != self.key:
            return 0.0, 0.0
        return self.cost_eur, self.uncontrolled_cost_eur - self.cost_eur

    def to_list(self) -> list[Any]:
        return [self.key, self.cost_eur, self.uncontrolled_cost_eur]

    @classmethod
    def from_list(cls, values: list[Any]) -> PeriodCost:
        key, cost, uncontrolled = values
        return cls(str(key), finite(cost), finite(uncontrolled))
