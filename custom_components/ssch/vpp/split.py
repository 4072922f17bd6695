"""Split a community request among members: cheapest first, no member above its envelope.

The problem is the linear programme

    minimise  sum_i p_i x_i   subject to   sum_i x_i = min(R, sum_i c_i),   0 <= x_i <= c_i

(p_i the asking price, c_i what member i can hold over the whole window, R the request). With a single
coupling constraint it is a continuous knapsack, for which the merit order (fill the cheapest members
first) is exactly optimal: any solution that leaves a cheaper member below its cap while a dearer one
carries energy is improved by moving that energy to the cheaper member. So the split is the merit order,
in O(n log n), and ``tests/vpp/test_split.py`` checks it against ``scipy.optimize.linprog``.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

# Members commit in steps of 10 W: shares are rounded down to that, and smaller remainders are dropped.
RESOLUTION_KW = 0.01


@dataclass(frozen=True, slots=True)
class Offer:
    """What one member can hold over the window, and what it asks per kWh."""

    member_id: str
    capacity_kw: float
    price_per_kwh: float


def merit_order_split(request_kw: float, offers: list[Offer], max_price_per_kwh: float) -> dict[str, float]:
    """kW per member: the cheapest offers first, each at most its capacity, none above the price cap."""
    shares: dict[str, float] = {}
    remaining = _floor(request_kw)
    eligible = [o for o in offers if o.capacity_kw >= RESOLUTION_KW and o.price_per_kwh <= max_price_per_kwh]
    # Ties go to the larger offer (fewer messages), then to the id (a stable, reproducible split).
    for offer in sorted(eligible, key=lambda o: (o.price_per_kwh, -o.capacity_kw, o.member_id)):
        if remaining < RESOLUTION_KW:
            break
        share = _floor(min(offer.capacity_kw, remaining))
        if share >= RESOLUTION_KW:
            shares[offer.member_id] = share
            remaining = _floor(remaining - share)
    return shares


def _floor(kw: float) -> float:
    return math.floor(kw / RESOLUTION_KW + 1e-6) * RESOLUTION_KW
