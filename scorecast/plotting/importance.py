"""Figures of a `FactorImportance`: the importances as bars, the per-instance values as strips."""

import numpy as np

from ._style import KIND_COLORS as _COLORS, new_figure

__all__ = ["importance_figure", "instances_figure"]


def _figure(n_rows, title):
    figure, (axes,) = new_figure(8, 1.4 + 0.32 * n_rows, title)
    axes.grid(axis="y", visible=False)
    return figure, axes


def _title(result):
    seeds = len(result.seeds)
    return f"Factor importance of {result.method}: {result.masking} masking, {seeds} seed{'s' * (seeds > 1)}"


def _legend(axes, kinds):
    from matplotlib.patches import Patch

    axes.legend(handles=[Patch(color=_COLORS[kind], label=f"{kind} factor") for kind in kinds],
                loc="lower right")


def _labels(table):
    """Factor names, with their kind where a model and a task factor share a name."""
    shared = table["factor"].duplicated(keep=False)
    return [f"{factor} ({kind})" if both else factor
            for factor, kind, both in zip(table["factor"], table["kind"], shared)]


def importance_figure(result):
    """Bars of the factors' importances, most important on top, with their spread over seeds.

    Parameters
    ----------
    result : FactorImportance

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = result.table
    figure, axes = _figure(len(table), _title(result))
    y = np.arange(len(table))[::-1]
    axes.barh(y, table["importance"], xerr=table["std"].fillna(0).to_numpy(), capsize=2,
              color=[_COLORS[kind] for kind in table["kind"]])
    axes.set_yticks(y, _labels(table))
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_xlabel("importance: reduction of the validation MSE (errors / task range)")
    _legend(axes, table["kind"].unique())
    return figure


def instances_figure(result, random_state=0):
    """Each held-out cell's Shapley value of its predicted score, one strip per factor.

    Factors in the order of their importance; the points of every seed,
    jittered vertically.

    Parameters
    ----------
    result : FactorImportance
    random_state : int, default=0
        Seed of the jitter.

    Returns
    -------
    matplotlib.figure.Figure
    """
    table, instances = result.table, result.instances
    figure, axes = _figure(len(table), _title(result) + ": per held-out cell")
    rng = np.random.default_rng(random_state)
    y = np.arange(len(table))[::-1]
    for position, (factor, kind) in zip(y, table[["factor", "kind"]].itertuples(index=False)):
        values = instances.loc[(instances["factor"] == factor) & (instances["kind"] == kind),
                               "value"].to_numpy()
        axes.scatter(values, position + rng.uniform(-0.3, 0.3, len(values)), s=6,
                     alpha=0.5, color=_COLORS[kind], linewidths=0)
    axes.set_yticks(y, _labels(table))
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_xlabel("contribution to the predicted score (score units)")
    _legend(axes, table["kind"].unique())
    return figure
