"""Synthetic leaderboards with known truth, shaped like the tables users bring.

Scores come from a small generative model of LLM evaluation: a model's general
ability grows with the log of its training compute, shifted by its family and
its release date; a second, family-driven ability (say, code and maths)
matters more on some tasks than on others; each task has a difficulty, a
discrimination and a chance floor (25 for four-way multiple choice); scores
are reported with noise on a 0-100 scale. What is observed depends on the shape:

``dense``
    base models on a handful of benchmarks, nearly everything observed
    (an Open LLM Leaderboard-like table);
``generations``
    two leaderboard generations: older models on the first set of tasks,
    newer models on the second, a few on both (block-shaped holes);
``frontier``
    few models, many tasks, about 10% observed, chosen by the model makers
    (newer models report newer tasks), several parameter counts unknown.

The factor table has ``family``, ``params_b``, ``tokens_b``, ``compute``
(6 N D, in 1e21 FLOPs) and ``release`` (an ISO date); some values are missing.
"""

import numpy as np
import pandas as pd

from .table import ScoreMatrix

__all__ = ["make_leaderboard", "make_planted", "SHAPES"]

SHAPES = {
    "dense": dict(n_models=400, n_tasks=6),
    "generations": dict(n_models=300, n_tasks=12),
    "frontier": dict(n_models=40, n_tasks=30),
}


def _models(n, rng):
    n_families = max(3, n // 6)
    family_quality = rng.normal(scale=0.5, size=n_families)
    family_skill = rng.normal(scale=0.8, size=n_families)
    family_ratio = np.exp(rng.uniform(np.log(20), np.log(300), n_families))   # tokens/param
    family = rng.integers(0, n_families, n)
    params_b = np.exp(rng.uniform(np.log(0.1), np.log(400), n))
    tokens_b = params_b * family_ratio[family] * np.exp(rng.normal(scale=0.3, size=n))
    days = rng.uniform(0, 3 * 365, n)                                         # 2022-2024
    compute = 6 * params_b * tokens_b * 1e18 / 1e21
    general = (0.45 * np.log(compute) + family_quality[family] + 0.5 * days / 365
               + rng.normal(scale=0.3, size=n))
    general = (general - general.mean()) / general.std()
    skill = family_skill[family] + 0.3 * general + rng.normal(scale=0.5, size=n)
    release = pd.Timestamp("2022-01-01") + pd.to_timedelta(days.astype(int), unit="D")
    factors = pd.DataFrame({
        "family": [f"family-{k}" for k in family], "params_b": params_b.round(2),
        "tokens_b": tokens_b.round(0), "compute": compute.round(3),
        "release": release.strftime("%Y-%m-%d")})
    return factors, np.column_stack([general, skill]), days


def _scores(ability, n_tasks, rng, noise):
    discrimination = rng.uniform(0.6, 1.8, n_tasks)
    skill_weight = rng.normal(scale=0.7, size=n_tasks)
    difficulty = rng.normal(0.3, 1.0, n_tasks)
    floor = rng.choice([0.0, 0.25, 0.5], n_tasks, p=[0.5, 0.35, 0.15])
    logits = (discrimination * (ability[:, :1] - difficulty) + skill_weight * ability[:, 1:2])
    clean = 100 * (floor + (1 - floor) / (1 + np.exp(-logits)))
    noisy = clean + rng.normal(scale=noise, size=clean.shape)
    return np.clip(noisy, 0, 100), floor


def _observed(shape, days, n_tasks, rng, density):
    n = len(days)
    if shape == "dense":
        return rng.random((n, n_tasks)) < density
    if shape == "generations":
        half = n_tasks // 2
        newer = days > np.quantile(days, 0.5)
        both = rng.random(n) < 0.12
        observed = np.zeros((n, n_tasks), dtype=bool)
        observed[~newer | both, :half] = True
        observed[newer | both, half:] = True
        return observed & (rng.random((n, n_tasks)) < density)
    # frontier: tasks appear over time, models report a few, newer ones newer tasks
    task_age = np.sort(rng.uniform(0, 3 * 365, n_tasks))
    appeal = -np.abs(days[:, None] - task_age[None, :]) / 365
    weights = np.exp(2 * appeal) * rng.uniform(0.2, 1.0, (n, n_tasks))
    target = max(2, int(round(density * n_tasks)))
    observed = np.zeros((n, n_tasks), dtype=bool)
    for i in range(n):
        k = min(n_tasks, max(2, rng.poisson(target)))
        observed[i, rng.choice(n_tasks, k, replace=False, p=weights[i] / weights[i].sum())] = True
    return observed


def make_leaderboard(shape="dense", n_models=None, n_tasks=None, density=None, noise=1.0,
                     random_state=None):
    """Make a synthetic leaderboard and its full truth.

    Parameters
    ----------
    shape : {"dense", "generations", "frontier"}
        See the module documentation.
    n_models, n_tasks : int, optional
        Default: the shape's usual size (:data:`SHAPES`).
    density : float, optional
        Share of cells observed (dense 0.98, generations 0.95 within a block,
        frontier 0.1).
    noise : float, default=1.0
        Standard deviation of the reporting noise, in score points.
    random_state : int or None

    Returns
    -------
    table : ScoreMatrix
        Observed scores (0-100) with model factors and a task factor
        ``chance`` (the floor).
    truth : pandas.DataFrame
        The noisy score of every model on every task (what an evaluation
        would report).
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; use one of {', '.join(SHAPES)}")
    rng = np.random.default_rng(random_state)
    n_models = n_models or SHAPES[shape]["n_models"]
    n_tasks = n_tasks or SHAPES[shape]["n_tasks"]
    density = density if density is not None else \
        {"dense": 0.98, "generations": 0.95, "frontier": 0.1}[shape]
    factors, ability, days = _models(n_models, rng)
    truth, floor = _scores(ability, n_tasks, rng, noise)
    observed = _observed(shape, days, n_tasks, rng, density)
    # every model and task keeps at least one score, as real tables do
    observed[np.arange(n_models), rng.integers(0, n_tasks, n_models)] = True
    observed[rng.integers(0, n_models, n_tasks), np.arange(n_tasks)] = True
    models = [f"{f}-{p:g}b-{i}" for i, (f, p) in enumerate(zip(factors["family"],
                                                                 factors["params_b"]))]
    tasks = [f"task-{j}" for j in range(n_tasks)]
    factors.index = models
    if shape == "frontier":                                  # API models: sizes undisclosed
        secret = rng.random(n_models) < 0.35
        factors.loc[secret, ["params_b", "tokens_b", "compute"]] = np.nan
    factors.loc[rng.random(n_models) < 0.2, "tokens_b"] = np.nan
    factors.loc[factors["tokens_b"].isna(), "compute"] = np.nan
    truth = pd.DataFrame(truth, index=models, columns=tasks)
    task_factors = pd.DataFrame({"chance": (100 * floor).astype(int).astype(str)}, index=tasks)
    table = ScoreMatrix(truth.where(observed), model_factors=factors, task_factors=task_factors,
                        score_range=(0, 100), name=f"synthetic {shape}")
    return table, truth


def make_planted(n_models=150, n_tasks=20, n_planted=5, density=0.9, noise=6.0,
                 random_state=None):
    """Make a table whose best evaluation set is known: it is planted.

    Each model has `n_planted` independent abilities. Each planted task measures
    one of them with little noise (0.5 points); every other task is a random
    positive mix of two or three abilities, reported with `noise`. Run on a new
    model, the planted tasks give its abilities almost exactly, hence predict
    every other task best; any other set of the same size measures them through
    noisier mixtures. Tasks are named ``task-01``... in random order.

    Parameters
    ----------
    n_models, n_tasks, n_planted : int
    density : float, default=0.9
        Share of cells observed, at random.
    noise : float, default=6.0
        Standard deviation of the mixed tasks' noise, in score points.
    random_state : int or None

    Returns
    -------
    table : ScoreMatrix
        Observed scores (0-100), no factors.
    planted : list of str
        The planted tasks, in the order of their abilities.

    Examples
    --------
    >>> from scorecast.synthetic import make_planted
    >>> table, planted = make_planted(random_state=0)
    >>> table.shape, len(planted)
    ((150, 20), 5)
    """
    if not 0 < n_planted < n_tasks:
        raise ValueError(f"n_planted must be between 1 and n_tasks - 1, not {n_planted}")
    rng = np.random.default_rng(random_state)
    ability = rng.normal(size=(n_models, n_planted))
    weights = np.zeros((n_tasks, n_planted))
    weights[:n_planted] = np.eye(n_planted)
    for j in range(n_planted, n_tasks):
        mixed = rng.choice(n_planted, rng.integers(2, 4), replace=False)
        weights[j, mixed] = rng.uniform(0.5, 1.0, len(mixed))
    weights /= np.linalg.norm(weights, axis=1, keepdims=True)
    sd = np.r_[np.full(n_planted, 0.5), np.full(n_tasks - n_planted, noise)]
    scores = 50 + 12 * ability @ weights.T + rng.normal(size=(n_models, n_tasks)) * sd
    observed = rng.random(scores.shape) < density
    observed[np.arange(n_models), rng.integers(0, n_tasks, n_models)] = True
    order = rng.permutation(n_tasks)                   # column j of `scores` is task order[j]
    names = [f"task-{order[j] + 1:02d}" for j in range(n_tasks)]
    frame = pd.DataFrame(np.clip(scores, 0, 100), columns=names,
                         index=[f"model-{i + 1:03d}" for i in range(n_models)])
    frame = frame[sorted(names)].where(pd.DataFrame(observed, index=frame.index,
                                                    columns=names)[sorted(names)])
    table = ScoreMatrix(frame, score_range=(0, 100), name="synthetic planted")
    return table, names[:n_planted]
