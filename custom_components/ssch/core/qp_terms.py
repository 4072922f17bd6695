"""The terms of the hub's QP, in the order both engines build them: a term may read what an earlier
one built (the commitments read the grid's variables, the grid balances every draw before it)."""

from __future__ import annotations

from .qp_structure import QpStructure
from .qp_term import QpTerm
from .qp_term_battery import BatteryTerm
from .qp_term_commitments import CommitmentTerm
from .qp_term_curtailment import CurtailmentTerm
from .qp_term_ev import EvTerm
from .qp_term_grid import GridTerm

TERMS: tuple[QpTerm, ...] = (EvTerm(), BatteryTerm(), CurtailmentTerm(), GridTerm(), CommitmentTerm())


def active_terms(structure: QpStructure) -> tuple[QpTerm, ...]:
    """The terms ``structure``'s QP has."""
    return tuple(term for term in TERMS if term.applies(structure))
