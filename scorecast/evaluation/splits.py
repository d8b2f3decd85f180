"""Ways to hide observed scores, predict them, and compare: the splitters.

Each splitter takes a :class:`~scorecast.ScoreMatrix` and a seed and returns a
:class:`Split`: the training table (held-out cells set to missing; models and
tasks are kept even when all their scores are hidden, so that methods can
predict them from factors) and the held-out cells.

==========================  ================================================
:func:`random_cells`        a fraction of the observed cells (the CPP paper's
                            main table: 5%; its HELM pilot: 90% and 50%)
:func:`new_models`          models with only `known` scores left
:func:`new_tasks`           tasks with only `known` models left
:func:`sparsity`            a fixed validation set, and a share of the
                            remaining training cells masked as well
:func:`leave_family_out`    every model of one family, `known` scores kept
:func:`largest_models`      the largest models by parameter count ("frontier")
:func:`newest_models`       the most recently released models
:func:`per_model`           a share of every model's scores (BenchPress's
                            protocol: half of each model's scores)
:func:`random_folds`        the observed cells in k folds, each held out once
==========================  ================================================
"""

from dataclasses import dataclass

import numpy as np

from .._holes import all_but_known
from ..errors import ScorecastError, quote_names
from ..factors import date_factor, family_factor, parameter_factor

__all__ = ["Split", "random_cells", "new_models", "new_tasks", "sparsity", "leave_family_out",
           "model_families", "largest_models", "newest_models", "parameter_counts", "per_model",
           "random_folds"]


@dataclass
class Split:
    """A training table and the cells held out from it.

    Attributes
    ----------
    train : ScoreMatrix
        The table with the held-out cells missing.
    test : ndarray of shape (n_cells, 2)
        Row and column indices of the held-out cells.
    name : str
        What was held out, e.g. ``random 10%`` or ``new model, 2 known``.
    """

    train: object
    test: np.ndarray
    name: str


def _hide(table, cells, name):
    scores = table.scores.to_numpy(dtype=float).copy()
    scores[cells[:, 0], cells[:, 1]] = np.nan
    return Split(table.with_scores(scores), cells, name)


def random_cells(table, fraction, random_state=None):
    """Hold out a fraction of the observed cells, drawn uniformly.

    Parameters
    ----------
    table : ScoreMatrix
    fraction : float
        Share of observed cells to hold out, in (0, 1). The HELM pilot's
        "10%/90% train/validation" split is ``fraction=0.9``.
    random_state : int or None

    Returns
    -------
    Split
    """
    if not 0 < fraction < 1:
        raise ScorecastError(f"the held-out fraction must be between 0 and 1, not {fraction}")
    rng = np.random.default_rng(random_state)
    observed = np.argwhere(table.observed)
    n = max(1, int(round(fraction * len(observed))))
    cells = observed[np.sort(rng.choice(len(observed), n, replace=False))]
    return _hide(table, cells, f"random {100 * fraction:g}%")


def _keep_known(table, indices, known, rng, axis=0):
    """Held-out cells: all observed cells of the rows (axis 0) or columns (axis 1)
    `indices`, but `known` random ones each."""
    observed = table.observed if axis == 0 else table.observed.T
    cells = all_but_known(observed, indices, known, rng)
    return cells if axis == 0 else np.ascontiguousarray(cells[:, ::-1])


def _pick(table, names, n, known, rng, axis):
    """Indices of the given names, or `n` drawn among those with more than `known` scores."""
    labels, what = (table.models, "model") if axis == 0 else (table.tasks, "task")
    if names is not None:
        unknown = [name for name in names if name not in labels]
        if unknown:
            raise ScorecastError(f"unknown {what}(s) {quote_names(unknown)}")
        return labels.get_indexer(list(names))
    eligible = np.flatnonzero(table.observed.sum(axis=1 - axis) > known)
    if not len(eligible):
        raise ScorecastError(f"no {what} has more than {known} scores")
    n = n or max(1, int(round(0.1 * len(eligible))))
    return np.sort(rng.choice(eligible, min(n, len(eligible)), replace=False))


def new_models(table, known=2, models=None, n_models=None, random_state=None):
    """Treat some models as new: keep `known` of their scores, hold out the rest.

    Parameters
    ----------
    table : ScoreMatrix
    known : int, default=2
        Scores kept for each new model (0: predicted from factors alone).
    models : sequence of str, optional
        The new models; default: `n_models` drawn among those with more than
        `known` scores.
    n_models : int, optional
        Default: 10% of the eligible models, at least 1.
    random_state : int or None

    Returns
    -------
    Split
    """
    rng = np.random.default_rng(random_state)
    rows = _pick(table, models, n_models, known, rng, axis=0)
    return _hide(table, _keep_known(table, rows, known, rng), f"new model, {known} known")


def new_tasks(table, known=2, tasks=None, n_tasks=None, random_state=None):
    """Treat some tasks as new: keep `known` models' scores on each, hold out the rest.

    Parameters
    ----------
    table : ScoreMatrix
    known : int, default=2
        Models whose score is kept on each new task (0: predicted from task
        factors alone).
    tasks : sequence of str, optional
        The new tasks; default: `n_tasks` drawn among those with more than
        `known` scores.
    n_tasks : int, optional
        Default: 10% of the eligible tasks, at least 1.
    random_state : int or None

    Returns
    -------
    Split
    """
    rng = np.random.default_rng(random_state)
    columns = _pick(table, tasks, n_tasks, known, rng, axis=1)
    return _hide(table, _keep_known(table, columns, known, rng, axis=1),
                 f"new task, {known} known")


def sparsity(table, masked, validation=0.1, random_state=None):
    """A validation set, and a share of the other observed cells masked too.

    The validation cells depend only on `validation` and the seed, so a curve
    over `masked` compares methods on one fixed validation set; the masks are
    nested (the cells masked at 20% include those masked at 10%).

    Parameters
    ----------
    table : ScoreMatrix
    masked : float
        Share of the training cells (observed cells not in validation) to hide
        as well, in [0, 1).
    validation : float, default=0.1
        Share of the observed cells held out for validation.
    random_state : int or None

    Returns
    -------
    Split
        Its test cells are the validation cells only.
    """
    if not 0 <= masked < 1:
        raise ScorecastError(f"the masked share must be in [0, 1), not {masked}")
    if not 0 < validation < 1:
        raise ScorecastError(f"the validation share must be between 0 and 1, not {validation}")
    rng = np.random.default_rng(random_state)
    observed = np.argwhere(table.observed)
    order = rng.permutation(len(observed))
    n_validation = max(1, int(round(validation * len(observed))))
    test = observed[np.sort(order[:n_validation])]
    rest = order[n_validation:]
    hidden = observed[rest[:int(round(masked * len(rest)))]]
    split = _hide(table, np.r_[test, hidden], f"{100 * masked:g}% of training masked")
    split.test = test
    return split


def model_families(table, factor=None, min_size=2):
    """The families of the table's models, with their members.

    Parameters
    ----------
    table : ScoreMatrix
    factor : str, optional
        The categorical model factor holding the family; default: the first
        categorical factor whose name contains "family".
    min_size : int, default=2
        Families with fewer models are left out (holding out a family of one
        is the new-model protocol).

    Returns
    -------
    dict of str to list of str
        Family name to model names, in table order.
    """
    if factor is None:
        factor = family_factor(table.model_factor_kinds)
        if factor is None:
            raise ScorecastError("no model factor looks like a family (a categorical factor "
                                 "whose name contains 'family'); name it with factor= "
                                 "(--family-factor on the command line)")
    if factor not in table.model_factors.columns:
        raise ScorecastError(f"no model factor named {factor!r}")
    groups = table.model_factors.groupby(factor, sort=False).groups
    return {str(family): list(members) for family, members in groups.items()
            if len(members) >= min_size}


def leave_family_out(table, family, known=0, factor=None, random_state=None):
    """Hold out every model of one family (or several), keeping `known` scores of each.

    Parameters
    ----------
    table : ScoreMatrix
    family : str or sequence of str
        Values of the family factor.
    known : int, default=0
    factor : str, optional
        See :func:`model_families`.
    random_state : int or None

    Returns
    -------
    Split
    """
    wanted = [family] if isinstance(family, str) else list(family)
    families = model_families(table, factor, min_size=1)
    unknown = [name for name in wanted if name not in families]
    if unknown:
        raise ScorecastError(f"no model family {quote_names(unknown)}; the families are "
                             f"{quote_names(list(families))}")
    rng = np.random.default_rng(random_state)
    rows = table.models.get_indexer([m for name in wanted for m in families[name]])
    return _hide(table, _keep_known(table, rows, known, rng),
                 f"famil{'y' if len(wanted) == 1 else 'ies'} {', '.join(wanted)} held out, "
                 f"{known} known")


def parameter_counts(table, factor=None):
    """Each model's parameter count from its factors (NaN where unknown).

    Parameters
    ----------
    table : ScoreMatrix
    factor : str, optional
        The numeric model factor holding the parameter count; default: the
        first numeric factor whose name contains "param".

    Returns
    -------
    ndarray of shape (n_models,)
        In the factor's own unit (only the order matters here).
    """
    return _factor_values(table, factor, parameter_factor,
                          "no model factor looks like a parameter count (a numeric factor "
                          "whose name contains 'param'); name it with factor= (--size-factor "
                          "on the command line)")


def _factor_values(table, factor, find, missing):
    """A model factor's values as floats: `factor`, else the one `find` picks from the kinds
    (`missing`: the message when there is none)."""
    if factor is None:
        factor = find(table.model_factor_kinds)
        if factor is None:
            raise ScorecastError(missing)
    if factor not in table.model_factors.columns:
        raise ScorecastError(f"no model factor named {factor!r}")
    return table.model_factors[factor].to_numpy(dtype=float)


def largest_models(table, known=2, n_models=5, factor=None, random_state=None):
    """Hold out the largest models by parameter count, keeping `known` scores each.

    Parameters
    ----------
    table : ScoreMatrix
    known : int, default=2
    n_models : int, default=5
    factor : str, optional
        See :func:`parameter_counts`.
    random_state : int or None

    Returns
    -------
    Split
    """
    return _hold_out_top(table, parameter_counts(table, factor), known, n_models,
                         random_state, "largest")


def _hold_out_top(table, value, known, n_models, random_state, what):
    """Hold out the `n_models` models of highest `value` (NaN: never) with more than `known`
    scores, keeping `known` of each."""
    rng = np.random.default_rng(random_state)
    eligible = np.flatnonzero(~np.isnan(value) & (table.observed.sum(axis=1) > known))
    rows = eligible[np.argsort(-value[eligible], kind="stable")[:n_models]]
    return _hide(table, _keep_known(table, rows, known, rng), f"{what} models, {known} known")


def release_dates(table, factor=None):
    """Each model's release date as a decimal year (NaN where unknown).

    Parameters
    ----------
    table : ScoreMatrix
    factor : str, optional
        The date factor; default: the first model factor of kind ``date``.

    Returns
    -------
    ndarray of shape (n_models,)
    """
    return _factor_values(table, factor, date_factor,
                          "no model factor is a date (a release date); name it with factor=")


def newest_models(table, known=2, n_models=5, factor=None, random_state=None):
    """Hold out the most recently released models, keeping `known` scores each.

    Parameters
    ----------
    table : ScoreMatrix
    known : int, default=2
    n_models : int, default=5
    factor : str, optional
        See :func:`release_dates`.
    random_state : int or None

    Returns
    -------
    Split
    """
    return _hold_out_top(table, release_dates(table, factor), known, n_models, random_state,
                         "newest")


def per_model(table, fraction=0.5, random_state=None):
    """Hold out a share of every model's scores (at least one is kept, one hidden).

    BenchPress's main protocol hides half of each model's scores: every model
    is partly known, as when a table is filled from vendors' reports.

    Parameters
    ----------
    table : ScoreMatrix
    fraction : float, default=0.5
        Share of each model's observed scores to hide (rounded; models with
        fewer than 2 scores are left whole).
    random_state : int or None

    Returns
    -------
    Split
    """
    if not 0 < fraction < 1:
        raise ScorecastError(f"the held-out fraction must be between 0 and 1, not {fraction}")
    rng = np.random.default_rng(random_state)
    cells = []
    for i, row in enumerate(table.observed):
        columns = np.flatnonzero(row)
        if len(columns) < 2:
            continue
        n = int(np.clip(round(fraction * len(columns)), 1, len(columns) - 1))
        cells += [(i, j) for j in np.sort(rng.choice(columns, n, replace=False))]
    return _hide(table, np.array(cells, dtype=int).reshape(-1, 2),
                 f"per model {100 * fraction:g}%")


def random_folds(table, n_folds=5, random_state=None):
    """The observed cells split into `n_folds` folds; one split per fold held out.

    Parameters
    ----------
    table : ScoreMatrix
    n_folds : int, default=5
    random_state : int or None

    Returns
    -------
    list of Split
        Named ``random 20%, fold 1 of 5`` and so on.
    """
    if n_folds < 2:
        raise ScorecastError(f"n_folds must be 2 or more, not {n_folds}")
    rng = np.random.default_rng(random_state)
    observed = np.argwhere(table.observed)
    order = rng.permutation(len(observed))
    share = f"{100 / n_folds:g}%"
    return [_hide(table, observed[np.sort(fold)], f"random {share}, fold {k + 1} of {n_folds}")
            for k, fold in enumerate(np.array_split(order, n_folds))]
