"""What a term of the hub's QP is: one owner for its parameters, their fill rule, and its part of
both engines' models.

A term (EV sessions, stationary battery, PV curtailment, grid and peak, commitments) declares its
parameters once, as ``Parameter`` objects. Its fill rule returns a value for each of them per plan
step; the declaration says how those values become per-QP-step values. The cvxpy model and the
built-in sparse model ask the same term for their part, through the narrow builders below, so a
term reads the same in both and nothing outside it names its parameters.

Terms import scipy (and cvxpy reaches them through ``CvxpyModel.cp``) only inside the methods that
build a model: the optimizer and its fill rules load without either, as the config flow imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import ArrayLike

from .model import FloatArray, SiteSnapshot
from .optimizer_config import OptimizerConfig
from .qp_blocks import BlockLayout
from .qp_structure import QpStructure
from .windows import SessionWindow

if TYPE_CHECKING:
    from scipy import sparse

type QpValues = dict[str, Any]
type Aggregation = Callable[[BlockLayout, FloatArray], FloatArray]
type SparseBlock = sparse.spmatrix | FloatArray


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter of the QP: a scalar, or a value per EV slot, per QP step, or both.

    ``per_step`` says how the values of the plan steps a QP step covers become its one value (the
    mean for powers and prices, the tightest for limits, the last for energy bounds)."""

    name: str
    per_slot: bool = False
    per_step: Aggregation | None = None

    def shape(self, structure: QpStructure) -> tuple[int, ...]:
        slots = (structure.ev_slots,) if self.per_slot else ()
        steps = (len(structure.block_hours),) if self.per_step is not None else ()
        return slots + steps

    def of(self, values: Mapping[str, Any]) -> FloatArray:
        """This parameter's value in ``values``."""
        return np.asarray(values[self.name], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class FillContext:
    """What fill rules read: the snapshot, its sessions' windows, the tuning, and the prices every
    term is judged against."""

    structure: QpStructure
    snapshot: SiteSnapshot
    windows: list[SessionWindow]
    config: OptimizerConfig
    import_price: FloatArray
    export_price: FloatArray
    # A missing target kWh, an overrun and a breached commitment are priced in multiples of this.
    base_penalty: float


def fill_context(
    structure: QpStructure, snapshot: SiteSnapshot, windows: list[SessionWindow], config: OptimizerConfig
) -> FillContext:
    """The context of ``snapshot``'s fill rules, its prices and penalty level worked out once."""
    prices = snapshot.prices
    import_price = np.asarray(prices.import_eur_per_kwh, dtype=np.float64)
    # Exporting never pays more than importing costs: no gain from importing and exporting at once.
    export_price = np.minimum(prices.export_eur_per_kwh, import_price)
    highest_price = float(np.max(np.abs(np.concatenate((import_price, export_price)))))
    base_penalty = max(config.min_penalty_eur_per_kwh, highest_price)
    return FillContext(structure, snapshot, windows, config, import_price, export_price, base_penalty)


class CvxpyModel(Protocol):
    """The cvxpy model under construction, as a term sees it (``qp_problem.HubQp``)."""

    @property
    def cp(self) -> Any:
        """The cvxpy module (imported by the model only, so terms load without cvxpy)."""

    @property
    def structure(self) -> QpStructure: ...

    @property
    def dt(self) -> FloatArray:
        """Hours of every QP step."""

    def parameter(self, parameter: Parameter) -> Any: ...

    def variable(self, name: str, *shape: int) -> Any: ...

    def expose(self, name: str, expression: Any) -> None:
        """Make ``expression`` readable by name like a variable (a view of one, e.g. a reshape)."""

    def var(self, name: str) -> Any:
        """A variable or exposed expression of a term built earlier."""

    def constrain(self, *constraints: Any) -> None: ...

    def cost(self, expression: Any) -> None: ...

    def draw(self, power_kw: Any) -> None:
        """Power per QP step the term draws from the site's connection point (negative: feeds it)."""

    def draws(self) -> list[Any]:
        """Every draw added so far."""


class SparseModel(Protocol):
    """The built-in sparse model under construction, as a term sees it (``qp_sparse.SparseHubQp``)."""

    @property
    def structure(self) -> QpStructure: ...

    @property
    def dt(self) -> FloatArray: ...

    def equality(self, name: str, blocks: Mapping[str, SparseBlock]) -> None:
        """Rows ``sum(block @ variable) == b`` (``b`` filled per tick)."""

    def inequality(self, name: str, blocks: Mapping[str, SparseBlock]) -> None:
        """Rows ``h_l <= sum(block @ variable) <= h_u`` (bounds filled per tick)."""

    def quadratic(self, names: str | tuple[str, str], block: sparse.spmatrix) -> None:
        """A block of P (``0.5 x'Px``); an off-diagonal pair is mirrored."""

    def draw(self, blocks: Mapping[str, SparseBlock]) -> None:
        """Coefficients of the power the term draws from the site's connection point."""

    def draws(self) -> dict[str, SparseBlock]:
        """Every draw added so far, by variable."""


@dataclass(frozen=True, slots=True)
class SparseData:
    """One tick's vectors of the sparse model with its index layout; terms write their part."""

    structure: QpStructure
    dt: FloatArray
    columns: Mapping[str, slice]
    equality_rows: Mapping[str, slice]
    inequality_rows: Mapping[str, slice]
    c: FloatArray
    b: FloatArray
    h_l: FloatArray
    h_u: FloatArray
    x_l: FloatArray
    x_u: FloatArray


def put(target: FloatArray, span: slice, value: ArrayLike) -> None:
    """Write ``value`` (flattened row-major, as the sparse model stacks slots) into ``target[span]``."""
    target[span] = np.ravel(np.asarray(value, dtype=np.float64))


class QpTerm(Protocol):
    """One cost or constraint family of the QP with everything it owns."""

    name: str
    parameters: tuple[Parameter, ...]
    # The variables a plan is made of, per QP step, as both engines return them.
    outputs: tuple[str, ...]

    def applies(self, structure: QpStructure) -> bool:
        """Whether ``structure``'s QP has this term."""

    def fill(self, context: FillContext) -> dict[Parameter, ArrayLike]:
        """A value for every parameter of the term, per plan step where it is per step."""

    def cvxpy_part(self, model: CvxpyModel) -> None:
        """Variables, constraints, costs and draw of the term in the cvxpy model."""

    def sparse_variables(self, structure: QpStructure) -> list[tuple[str, int]]:
        """The term's columns of the sparse model and their sizes."""

    def sparse_part(self, model: SparseModel) -> None:
        """The term's rows, quadratic blocks and draw in the sparse model."""

    def sparse_data(self, data: SparseData, values: Mapping[str, Any]) -> None:
        """The term's costs and bounds of one tick, from its parameters' values."""

    def sparse_solution(
        self, structure: QpStructure, columns: Mapping[str, slice], x: FloatArray
    ) -> dict[str, FloatArray]:
        """The term's ``outputs`` from a solution of the sparse model."""


def output_columns(
    outputs: tuple[str, ...], columns: Mapping[str, slice], x: FloatArray
) -> dict[str, FloatArray]:
    """``outputs`` read straight from their columns of a sparse solution."""
    return {name: x[columns[name]] for name in outputs}
