"""The merit-order split is the optimum of the LP (checked against scipy's linprog)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.optimize import linprog

from custom_components.ssch.vpp.split import RESOLUTION_KW, Offer, merit_order_split


def _lp_cost(request_kw: float, offers: list[Offer], cap: float) -> float:
    eligible = [o for o in offers if o.price_per_kwh <= cap]
    volume = min(request_kw, sum(o.capacity_kw for o in eligible))
    result = linprog(
        c=[o.price_per_kwh for o in eligible],
        A_eq=np.ones((1, len(eligible))),
        b_eq=[volume],
        bounds=[(0.0, o.capacity_kw) for o in eligible],
        method="highs",
    )
    assert result.success
    return float(result.fun)


def test_cheapest_first_and_never_above_an_envelope_or_the_price_cap() -> None:
    offers = [Offer("a", 5.0, 0.3), Offer("b", 4.0, 0.1), Offer("c", 10.0, 0.2), Offer("d", 50.0, 0.9)]
    assert merit_order_split(12.0, offers, 0.5) == {"b": 4.0, "c": 8.0}
    assert merit_order_split(100.0, offers, 0.5) == {"b": 4.0, "c": 10.0, "a": 5.0}
    assert merit_order_split(0.001, offers, 0.5) == {}
    assert merit_order_split(5.0, [Offer("tiny", 0.001, 0.0), Offer("neg", -2.0, 0.0)], 1.0) == {}


@pytest.mark.parametrize("seed", range(20))
def test_merit_order_matches_the_linear_programme(seed: int) -> None:
    rng = random.Random(seed)
    offers = [
        Offer(f"m{i}", round(rng.uniform(0.0, 12.0), 2), round(rng.uniform(0.0, 0.4), 3))
        for i in range(rng.randint(1, 60))
    ]
    request, cap = rng.uniform(1.0, 300.0), rng.uniform(0.05, 0.4)
    shares = merit_order_split(request, offers, cap)
    by_id = {o.member_id: o for o in offers}
    assert all(0.0 < kw <= by_id[m].capacity_kw + 1e-9 for m, kw in shares.items())
    assert all(by_id[m].price_per_kwh <= cap for m in shares)
    cost = sum(kw * by_id[m].price_per_kwh for m, kw in shares.items())
    lp = _lp_cost(request, offers, cap)
    # Shares are rounded down to 10 W each: the merit order may leave up to 10 W per member unused.
    slack = RESOLUTION_KW * (len(shares) + 1) * max((o.price_per_kwh for o in offers), default=0.0)
    assert lp - slack - 1e-6 <= cost <= lp + 1e-6
