"""Every term of the QP owns its parameters: each is filled for every structure, both engines read
each of them, the cvxpy model is DPP, and the two engines find the same optimum."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
import itertools
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from custom_components.ssch.core.engine_builtin import BuiltinEngine
from custom_components.ssch.core.engine_cvxpy import CvxpyEngine
from custom_components.ssch.core.model import SiteSnapshot
from custom_components.ssch.core.optimizer import Optimizer
from custom_components.ssch.core.optimizer_config import OptimizerConfig
from custom_components.ssch.core.qp_parameters import parameter_values
from custom_components.ssch.core.qp_problem import HubQp
from custom_components.ssch.core.qp_sparse import SparseHubQp
from custom_components.ssch.core.qp_structure import QpStructure
from custom_components.ssch.core.qp_term import FillContext, Parameter, QpValues
from custom_components.ssch.core.qp_term_battery import BatteryTerm
from custom_components.ssch.core.qp_term_grid import IMPORT_PRICE, GridTerm
from custom_components.ssch.core.qp_terms import TERMS, active_terms
from custom_components.ssch.core.windows import session_windows
from tests.core.conftest import SiteFactory

STEPS = 12
TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10, "max_iter": 400}
COARSE = OptimizerConfig(fine_steps=4, coarse_factor=3)


def _snapshot(
    site: SiteFactory, *, battery: bool, curtailable: bool, commitments: bool, many_evs: bool
) -> SiteSnapshot:
    cars = 6 if many_evs else 1
    sessions = tuple(
        replace(
            site.session(
                f"s{i}",
                f"e{i}",
                departure_h=3.0 + i,
                energy_kwh=10.0 + i,
                target_kwh=30.0 + 2 * i,
                v2g=i % 2 == 1,
            ),
            shortfall_price_eur_per_kwh=0.4 if i == 2 else None,
            optional_kwh=5.0 if i == 2 else 0.0,
            optional_price_eur_per_kwh=0.2 if i == 2 else 0.0,
        )
        for i in range(cars)
    )
    return site.snapshot(
        steps=STEPS,
        import_price=np.linspace(0.2, 0.4, STEPS),
        import_limit_kw=np.linspace(40.0, 30.0, STEPS),
        pv_kw=np.linspace(0.0, 30.0, STEPS),
        building_kw=5.0,
        peak_price=5.0,
        peak_already_kw=8.0,
        battery=site.battery() if battery else None,
        sessions=sessions,
        pv_curtailable=curtailable,
        commitments=(site.commitment(1.0, 3.0, -5.0), site.commitment(5.0, 7.0, 4.0)) if commitments else (),
    )


def _cases(site: SiteFactory) -> Iterator[tuple[str, Optimizer, SiteSnapshot]]:
    """Every structure: with and without battery, curtailment, commitments, blocks; one and many EVs."""
    for battery, curtailable, commitments, blocks, many_evs in itertools.product((False, True), repeat=5):
        snapshot = _snapshot(
            site, battery=battery, curtailable=curtailable, commitments=commitments, many_evs=many_evs
        )
        name = f"battery={battery} curtailable={curtailable} commitments={commitments} "
        name += f"blocks={blocks} many_evs={many_evs}"
        yield name, Optimizer(COARSE if blocks else None), snapshot


def _declared(structure: QpStructure) -> dict[str, Parameter]:
    return {p.name: p for term in active_terms(structure) for p in term.parameters}


class _Reads(Mapping[str, Any]):
    """Parameter values that remember which were read."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def test_the_cases_cover_every_structure(site: SiteFactory) -> None:
    structures = {optimizer.problem(snapshot).structure for _, optimizer, snapshot in _cases(site)}
    assert {s.has_battery for s in structures} == {False, True}
    assert {s.pv_curtailable for s in structures} == {False, True}
    assert {s.has_commitments for s in structures} == {False, True}
    assert {len(s.block_hours) < STEPS for s in structures} == {False, True}
    assert {s.ev_slots for s in structures} == {4, 8}
    assert len(structures) == 32


def test_every_parameter_of_every_term_is_filled_for_every_structure(site: SiteFactory) -> None:
    for name, optimizer, snapshot in _cases(site):
        problem = optimizer.problem(snapshot)
        declared = _declared(problem.structure)
        assert set(problem.values) == set(declared), name
        for parameter in declared.values():
            value = problem.values[parameter.name]
            assert value.shape == parameter.shape(problem.structure), (name, parameter.name)
            assert np.all(np.isfinite(value)), (name, parameter.name)

        qp = HubQp(problem.structure)
        assert {p.name() for p in qp.problem.parameters()} == set(declared), name
        # A cvxpy parameter has no value until the fill rule gives it one: nothing stays zero unseen.
        assert all(p.value is None for p in qp.problem.parameters()), name
        qp.set_values(problem.values)
        assert all(p.value is not None for p in qp.problem.parameters()), name

        reads = _Reads(problem.values)
        SparseHubQp(problem.structure).vectors(reads)
        assert reads.read == set(declared), name


def test_the_cvxpy_model_is_dpp_for_every_structure(site: SiteFactory) -> None:
    for name, optimizer, snapshot in _cases(site):
        assert HubQp(optimizer.problem(snapshot).structure).problem.is_dpp(), name


def test_both_engines_find_the_same_optimum_for_every_structure(site: SiteFactory) -> None:
    for name, optimizer, snapshot in _cases(site):
        problem = optimizer.problem(snapshot)
        reference = CvxpyEngine("CLARABEL", TIGHT).solve(problem.structure, problem.values)
        built_in = BuiltinEngine().solve(problem.structure, problem.values)
        assert built_in.objective == pytest.approx(reference.objective, rel=1e-6, abs=1e-6), name
        assert built_in.variables.keys() == reference.variables.keys(), name
        for variable, value in reference.variables.items():
            np.testing.assert_allclose(built_in.variables[variable], value, atol=0.05, err_msg=name)


def test_terms_declare_distinct_parameters_and_outputs() -> None:
    parameters = [p.name for term in TERMS for p in term.parameters]
    outputs = [name for term in TERMS for name in term.outputs]
    assert len(parameters) == len(set(parameters))
    assert len(outputs) == len(set(outputs))
    assert len({term.name for term in TERMS}) == len(TERMS)


def _fill_inputs(site: SiteFactory) -> tuple[Optimizer, SiteSnapshot, QpStructure]:
    snapshot = _snapshot(site, battery=True, curtailable=False, commitments=False, many_evs=False)
    optimizer = Optimizer()
    return optimizer, snapshot, optimizer.structure_for(snapshot)


def _values(optimizer: Optimizer, snapshot: SiteSnapshot, structure: QpStructure) -> QpValues:
    return parameter_values(
        structure, snapshot, session_windows(snapshot), optimizer.config, optimizer.layout_for(snapshot)
    )


def test_a_fill_rule_that_leaves_a_parameter_out_is_an_error(
    site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    optimizer, snapshot, structure = _fill_inputs(site)
    fill = BatteryTerm.fill

    def without_one(self: BatteryTerm, context: FillContext) -> dict[Parameter, Any]:
        values = fill(self, context)
        del values[self.parameters[0]]
        return values

    monkeypatch.setattr(BatteryTerm, "fill", without_one)
    with pytest.raises(ValueError, match=r"missing \['battery_charge_max_kw'\]"):
        _values(optimizer, snapshot, structure)


def test_a_parameter_filled_in_the_wrong_shape_is_an_error(
    site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    optimizer, snapshot, structure = _fill_inputs(site)
    fill = GridTerm.fill

    def one_step_short(self: GridTerm, context: FillContext) -> dict[Parameter, Any]:
        return fill(self, context) | {IMPORT_PRICE: context.import_price[:-1]}

    monkeypatch.setattr(GridTerm, "fill", one_step_short)
    with pytest.raises(ValueError, match="import_price is filled in the shape"):
        _values(optimizer, snapshot, structure)


def test_the_optimizer_and_its_terms_load_without_cvxpy_or_scipy() -> None:
    code = (
        "import sys\n"
        "import custom_components.ssch.core.optimizer\n"
        "import custom_components.ssch.core.qp_terms\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'cvxpy', 'scipy', 'piqp'})\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
