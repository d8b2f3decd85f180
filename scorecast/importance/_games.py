"""The factor games of a fitted factor-aware network, played without refitting.

The players are the model factors (or the task factors) of a fitted
``ncf-factors`` or ``factors-only`` predictor; the other side's factors stay
present. A coalition's value, for every held-out cell, is the predicted score
with only the coalition's factors present; the loss game's value is the mean
squared error of those predictions, each task's errors divided by its score
range (the ``range`` space of ``scorecast benchmark``), so that the games do
not depend on the space the predictor learns in.

An absent factor is

``zero``
    the CPP paper's masking: its numeric column(s), missing indicator
    included, set to 0 (the training mean, in the standardised encoding) and
    a categorical factor's code set to 0, whose embedding is fixed at zero;
``interventional``
    its values taken from reference models (tasks) drawn from the table,
    each held-out cell with its own draws, shared by every coalition; the
    prediction is the mean of the scores predicted over the references.
    The absent factors come together from one reference, so that their joint
    distribution is kept.
"""

from dataclasses import dataclass

import numpy as np

#: What an absent factor becomes (see the module documentation).
MASKINGS = ("zero", "interventional")
# Network inputs (cells x references) per pass: bounds the memory, and large
# enough that a pass costs far more than its Python overhead.
_ROWS_PER_PASS = 2 ** 16


@dataclass
class Player:
    """One factor: its name and the encoded columns it owns."""

    name: str
    numeric: list
    codes: list


def factor_players(encoder):
    """The factors of a fitted `FactorEncoder`, in table order, with their columns.

    A numeric factor owns its standardised column and, if it has one, its
    missing-indicator column; a categorical factor owns its code column.
    """
    players = []
    for name in encoder.kinds_:
        if name in encoder.numeric_:
            k = encoder.numeric_.index(name)
            columns = [k]
            if encoder.indicator_[k]:
                columns.append(len(encoder.numeric_) + int(encoder.indicator_[:k].sum()))
            players.append(Player(name, columns, []))
        else:
            players.append(Player(name, [], [encoder.categorical_.index(name)]))
    return players


def scores_of_cells(target, cells, values):
    """Target-space values of cells back to scores, cell by cell.

    Parameters
    ----------
    target : TargetSpace
        The predictor's fitted target space.
    cells : ndarray of shape (n_cells, 2)
    values : ndarray of shape (..., n_cells)

    Returns
    -------
    ndarray of the shape of `values`
    """
    flat = values.reshape(-1, len(cells))
    out = np.empty(flat.shape)
    for k, (row, col) in enumerate(cells):
        # One cell's values as a column: the target space maps a column with its
        # task's parameters and each row with its model's (the paper space has both).
        models, tasks = target.take(models=np.full(len(flat), row), tasks=[col])
        out[:, k] = target.inverse(flat[:, [k]], models=models, tasks=tasks)[:, 0]
    return out.reshape(values.shape)


class FactorGame:
    """The games of one side's factors on held-out cells of a fitted network.

    Calling the game with coalitions (bool, one column per player) returns,
    for each coalition, the range-normalised MSE of the held-out cells
    followed by each cell's predicted score: shape (n_coalitions, 1 + n_cells).

    Parameters
    ----------
    predictor : NeuralPredictor
        Fitted, with factors.
    side : {0, 1}
        0: the players are the model factors; 1: the task factors.
    cells : ndarray of int of shape (n_cells, 2)
        Held-out cells (rows and columns of the fitted table).
    scores : ndarray of shape (n_cells,)
        Their true scores.
    spread : ndarray of shape (n_tasks,)
        Each task's score range, dividing its errors.
    masking : {"zero", "interventional"}
    n_references : int
        References per cell for the interventional masking.
    rng : numpy.random.Generator
        Draws the references.
    """

    def __init__(self, predictor, side, cells, scores, spread, masking, n_references, rng):
        self.predictor = predictor
        self.side = side
        self.cells = np.asarray(cells)
        self.scores = np.asarray(scores, dtype=float)
        self.spread = np.asarray(spread, dtype=float)[self.cells[:, 1]]
        encoder = predictor.model_encoder_ if side == 0 else predictor.task_encoder_
        self.players = factor_players(encoder)
        inputs = predictor.factor_inputs_
        # The cells' own inputs: the players' side at [0:2], the other side at [2:4].
        self.own = [inputs[2 * side + k][self.cells[:, side]] for k in range(2)]
        self.other = [inputs[2 - 2 * side + k][self.cells[:, 1 - side]] for k in range(2)]
        self.references = self._references(inputs[2 * side:2 * side + 2], masking,
                                           n_references, rng)
        n_numeric, n_codes = (a.shape[1] for a in self.own)
        self.numeric_owner = np.zeros((len(self.players), n_numeric), bool)
        self.code_owner = np.zeros((len(self.players), n_codes), bool)
        for i, player in enumerate(self.players):
            self.numeric_owner[i, player.numeric] = True
            self.code_owner[i, player.codes] = True

    def _references(self, side_inputs, masking, n_references, rng):
        """What absent factors become: (numeric, codes), each (n_cells, n_references, width).

        Zero masking is the interventional game with one all-zero reference.
        """
        n_cells = len(self.cells)
        if masking == "zero":
            return [np.zeros((n_cells, 1, a.shape[1]), a.dtype) for a in side_inputs]
        rows = rng.integers(len(side_inputs[0]), size=(n_cells, int(n_references)))
        return [a[rows] for a in side_inputs]

    @property
    def n_players(self):
        return len(self.players)

    def __call__(self, coalitions):
        coalitions = np.asarray(coalitions, dtype=bool)
        n_cells, n_references = self.references[0].shape[:2]
        step = max(1, _ROWS_PER_PASS // (n_cells * n_references))
        predicted = np.concatenate([self._predict(coalitions[start:start + step])
                                    for start in range(0, len(coalitions), step)])
        errors = (predicted - self.scores) / self.spread
        return np.column_stack([np.mean(errors ** 2, axis=1), predicted])

    def _predict(self, coalitions):
        """Predicted scores of the cells under each coalition: (n_coalitions, n_cells)."""
        n_coalitions = len(coalitions)
        n_cells, n_references = self.references[0].shape[:2]
        shape = (n_coalitions, n_cells, n_references)
        side_inputs = []
        for own, reference, owner in zip(self.own, self.references,
                                         (self.numeric_owner, self.code_owner)):
            present = (coalitions.astype(np.int64) @ owner.astype(np.int64)) > 0
            side_inputs.append(np.where(present[:, None, None, :], own[None, :, None, :],
                                        reference[None]).reshape(-1, own.shape[1]))
        other_inputs = [np.broadcast_to(a[None, :, None, :], shape + a.shape[1:])
                        .reshape(-1, a.shape[1]) for a in self.other]
        inputs = side_inputs + other_inputs if self.side == 0 else other_inputs + side_inputs
        cells = np.broadcast_to(self.cells[None, :, None, :], shape + (2,)).reshape(-1, 2)
        target = self.predictor._predict_cells(cells, inputs).reshape(shape)
        scores = scores_of_cells(self.predictor.target_, self.cells,
                                 np.moveaxis(target, 1, -1))
        # The expected predicted score over the references (one reference for zero masking).
        return scores.mean(axis=1)
