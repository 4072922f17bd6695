"""Snapshot -> values of the QP's parameters (per QP step, in the QP's energy units): every active
term fills its own parameters, each is checked against its declaration and aggregated into blocks."""

from __future__ import annotations

import numpy as np

from .model import SiteSnapshot
from .optimizer_config import OptimizerConfig
from .qp_blocks import BlockLayout
from .qp_structure import QpStructure
from .qp_term import QpValues, fill_context
from .qp_terms import active_terms
from .windows import SessionWindow

__all__ = ["QpValues", "parameter_values"]


def parameter_values(
    structure: QpStructure,
    snapshot: SiteSnapshot,
    windows: list[SessionWindow],
    config: OptimizerConfig,
    layout: BlockLayout,
) -> QpValues:
    """The value of every parameter of ``structure``'s QP, per QP step: the one input of both engines.

    A term that fills a parameter it does not declare, leaves one out, or fills one in the wrong
    shape is an error here, before any engine sees the values."""
    context = fill_context(structure, snapshot, windows, config)
    values: QpValues = {}
    plan_steps = sum(layout.lengths)
    for term in active_terms(structure):
        filled = term.fill(context)
        declared = set(term.parameters)
        if filled.keys() != declared:
            missing = sorted(p.name for p in declared - filled.keys())
            unknown = sorted(p.name for p in filled.keys() - declared)
            raise ValueError(f"{term.name} fills badly: missing {missing}, unknown {unknown}")
        for parameter in term.parameters:
            value = np.asarray(filled[parameter], dtype=np.float64)
            shape = parameter.shape(structure)
            if parameter.per_step is not None:
                shape = (*shape[:-1], plan_steps)
            if value.shape != shape:
                raise ValueError(f"{parameter.name} is filled in the shape {value.shape}, not {shape}")
            if parameter.per_step is not None:
                value = parameter.per_step(layout, value)
            values[parameter.name] = value
    return values
