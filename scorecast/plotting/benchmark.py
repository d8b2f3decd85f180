"""Figures of `scorecast benchmark` results: one kind of figure per kind of protocol.

Each takes the results table the runner returns (columns ``protocol, method, seed,
metric, value``) and shows the spread over seeds, not only the mean.
"""

import re

import numpy as np

from ._style import PALETTE, colors, new_figure

__all__ = ["benchmark_figure"]

_SPARSITY = re.compile(r"^sparsity (\d+(?:\.\d+)?)%$")
_ACTIVE = re.compile(r"^mae_after_(\d+)$")
_COVERAGE = re.compile(r"^coverage_(\d+(?:\.\d+)?)$")


def benchmark_figure(results, title=None):
    """The figure that suits the protocol(s) in `results`.

    - active protocol: a new model's error after k evaluations, active vs random;
    - sparsity: error against the share of training cells masked;
    - calibration: actual against nominal coverage of the intervals;
    - any other: each method's error per protocol variant, one point per seed.

    Parameters
    ----------
    results : pandas.DataFrame
        Columns ``protocol, method, seed, metric, value``.
    title : str, optional
        Default: what is shown.

    Returns
    -------
    matplotlib.figure.Figure
    """
    metrics = set(results["metric"])
    protocols = list(dict.fromkeys(results["protocol"]))
    if any(_ACTIVE.match(m) for m in metrics):
        return _active(results, title)
    if any(_COVERAGE.match(m) for m in metrics):
        return _calibration(results, protocols, title)
    if protocols and all(_SPARSITY.match(p) for p in protocols):
        return _sparsity(results, protocols, title)
    return _by_method(results, protocols, title)


def _seeds(results, metric):
    """Per (protocol, method): the metric's values over seeds."""
    rows = results[results["metric"] == metric]
    return rows.groupby(["protocol", "method"], sort=False)["value"].apply(np.asarray)


def _band(ax, x, values, color, label):
    """A mean line with the range between the 10% and 90% quantiles over seeds."""
    values = np.asarray(values, dtype=float)      # seeds x points
    ax.plot(x, values.mean(axis=0), marker="o", markersize=3.5, color=color, label=label)
    if len(values) > 1:
        low, high = np.quantile(values, [0.1, 0.9], axis=0)
        ax.fill_between(x, low, high, color=color, alpha=0.18, linewidth=0)


def _n_seeds(results):
    n = results["seed"].nunique()
    return f"{n} seed{'s' * (n != 1)}"


def _active(results, title):
    figure, (ax,) = new_figure(6.4, 3.8, title or
                               "A new model's error as evaluations are revealed "
                               f"({_n_seeds(results)}; band: 10-90% of seeds)")
    steps = sorted({int(_ACTIVE.match(m).group(1)) for m in results["metric"]
                    if _ACTIVE.match(m)})
    for strategy, color in colors(results["method"]).items():
        rows = results[results["method"] == strategy]
        table = rows.pivot_table(index="seed", columns="metric", values="value")
        values = table[[f"mae_after_{k}" for k in steps]].to_numpy()
        _band(ax, steps, values, color, "suggested (active)" if strategy == "active"
              else strategy)
    ax.set_xticks(steps)
    ax.set_xlabel("evaluations revealed (known scores of the new model)")
    ax.set_ylabel("MAE on its held-out tasks (score points)")
    ax.legend(title="next evaluation")
    return figure


def _sparsity(results, protocols, title):
    figure, (ax,) = new_figure(6.4, 3.8, title or
                               "Error as the training table gets sparser "
                               f"({_n_seeds(results)}; band: 10-90% of seeds)")
    x = [float(_SPARSITY.match(p).group(1)) for p in protocols]
    values = _seeds(results, "mae")
    for method, color in colors(results["method"]).items():
        _band(ax, x, np.column_stack([values[(p, method)] for p in protocols]), color, method)
    ax.set_xlabel("training cells masked (%)")
    ax.set_ylabel("MAE on the validation cells (score points)")
    ax.legend(title="method", ncols=2, fontsize="small")
    return figure


def _calibration(results, protocols, title):
    levels = sorted({float(_COVERAGE.match(m).group(1)) for m in results["metric"]
                     if _COVERAGE.match(m)})
    figure, axes = new_figure(2.6 * len(protocols) + 1, 3.4, title or
                              "Interval coverage: actual against nominal "
                              f"({_n_seeds(results)}; bars: 10-90% of seeds)",
                              n_panels=len(protocols), sharey=True)
    # The baselines without intervals ('random') have no coverage to show.
    palette = colors(results.loc[results["metric"].str.startswith("coverage_"), "method"])
    offsets = np.linspace(-1.2, 1.2, len(palette)) if len(palette) > 1 else [0]
    for ax, protocol in zip(axes, protocols):
        rows = results[results["protocol"] == protocol]
        for (method, color), offset in zip(palette.items(), offsets):
            means, lows, highs = [], [], []
            for level in levels:
                values = 100 * rows.loc[(rows["method"] == method)
                                        & (rows["metric"] == f"coverage_{level:g}"), "value"]
                values = values.to_numpy(dtype=float)
                means.append(values.mean() if len(values) else np.nan)
                low, high = np.quantile(values, [0.1, 0.9]) if len(values) else (np.nan,) * 2
                lows.append(low)
                highs.append(high)
            means = np.array(means)
            ax.errorbar(np.array(levels) + offset, means,
                        yerr=[means - np.array(lows), np.array(highs) - means], fmt="o",
                        markersize=4, capsize=2, color=color, label=method)
        span = [min(levels) - 5, max(levels) + 5]
        ax.plot(span, span, color=PALETTE[-1], linewidth=0.8, linestyle="--",
                label="perfect calibration")
        ax.set_title(protocol.removeprefix("calibration "))
        ax.set_xticks(levels)
        ax.set_xlabel("nominal coverage (%)")
    axes[0].set_ylabel("actual coverage of held-out scores (%)")
    axes[-1].legend(fontsize="small")
    return figure


def _by_method(results, protocols, title):
    figure, axes = new_figure(max(6.0, 3.2 * len(protocols)), 3.8, title or
                              "Error on held-out scores by method "
                              "(one dot per seed; bar: mean)",
                              n_panels=len(protocols), sharey=True)
    values = _seeds(results, "mae")
    palette = colors(results["method"])
    rng = np.random.default_rng(0)  # jitter of the dots only
    for ax, protocol in zip(axes, protocols):
        for i, (method, color) in enumerate(palette.items()):
            if (protocol, method) not in values:
                continue
            seeds = values[(protocol, method)]
            ax.bar(i, seeds.mean(), color=color, alpha=0.35, width=0.7)
            ax.scatter(i + rng.uniform(-0.18, 0.18, len(seeds)), seeds, s=9, color=color,
                       zorder=3)
        ax.set_xticks(range(len(palette)), list(palette), rotation=40, ha="right")
        ax.grid(axis="x", visible=False)
        ax.set_title(protocol)
    axes[0].set_ylabel("MAE on held-out scores (score points)")
    return figure
