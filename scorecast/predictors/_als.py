"""Biased low-rank factorisation by regularised alternating least squares (vectorised).

The model is ``Y[i, j] ~ mu + b[i] + c[j] + P[i] . Q[j]``. Each half-step solves
one small ridge problem per model (task) at once: the normal matrices of all
rows are one matrix product, and ``numpy.linalg.solve`` solves them as a batch.
Optionally the model (task) parameters are shrunk toward a ridge regression on
the model (task) factors instead of toward zero, so that factors inform models
with few scores and predict models with none.
"""

import numpy as np

from ..persistence import persistable


def _batched_ridge(mask, residual, design, penalty, prior):
    """Solve, for every row r, min sum_j mask[r,j] (residual[r,j] - design[j].t)^2
    + (t - prior[r])' diag(penalty) (t - prior[r])."""
    width = design.shape[1]
    outer = (design[:, :, None] * design[:, None, :]).reshape(len(design), -1)
    normal = (mask @ outer).reshape(-1, width, width) + np.diag(penalty)
    rhs = (mask * residual) @ design + prior * penalty
    return np.linalg.solve(normal, rhs[..., None])[..., 0]


def _prior_fit(theta, features, alpha):
    """Ridge regression of the parameters on the factors; returns the fitted prior."""
    if features is None or features.shape[1] == 0:
        return np.zeros_like(theta), None
    x = np.hstack([features, np.ones((len(features), 1))])
    gram = x.T @ x + alpha * np.eye(x.shape[1])
    gram[-1, -1] -= alpha          # do not shrink the intercept
    coef = np.linalg.solve(gram, x.T @ theta)
    return x @ coef, coef


def _prior_apply(coef, features):
    if coef is None:
        return None
    return np.hstack([features, np.ones((len(features), 1))]) @ coef


@persistable
class ALSFactorization:
    """Fitted parameters of a biased factorisation (plain container, see `fit_als`)."""

    def __init__(self, mu, model_theta, task_theta, model_coef, task_coef, penalty):
        self.mu = mu
        self.model_theta = model_theta      # (n_models, 1 + rank): bias, vector
        self.task_theta = task_theta        # (n_tasks, 1 + rank)
        self.model_coef = model_coef        # prior regression on model factors, or None
        self.task_coef = task_coef
        self.penalty = penalty              # (1 + rank,): bias penalty, vector penalty

    def full(self):
        b, p = self.model_theta[:, 0], self.model_theta[:, 1:]
        c, q = self.task_theta[:, 0], self.task_theta[:, 1:]
        return self.mu + b[:, None] + c[None, :] + p @ q.T

    def fold_in(self, y, features, axis):
        """Parameters and predictions for one new model (axis=0) or task (axis=1)."""
        fixed = self.task_theta if axis == 0 else self.model_theta
        coef = self.model_coef if axis == 0 else self.task_coef
        known = ~np.isnan(y)
        prior = _prior_apply(coef, features[None, :]) if features is not None else None
        prior = np.zeros((1, fixed.shape[1])) if prior is None else prior
        design = np.hstack([np.ones((len(fixed), 1)), fixed[:, 1:]])
        residual = np.where(known, y - self.mu - fixed[:, 0], 0.0)
        theta = _batched_ridge(known[None, :].astype(float), residual[None, :], design,
                               self.penalty, prior)[0]
        return self.mu + fixed[:, 0] + theta[0] + fixed[:, 1:] @ theta[1:]


def fit_als(Y, rank, reg, bias_reg, n_iter, rng, model_features=None, task_features=None,
            prior_alpha=1.0, init_scale=0.1):
    """Fit ``Y ~ mu + b + c + P Q'`` on the observed (non-NaN) cells of Y.

    Parameters
    ----------
    Y : ndarray of shape (n_models, n_tasks)
    rank : int
        Latent dimension (0 gives the additive model: biases only).
    reg, bias_reg : float
        Ridge penalties of the latent vectors and of the biases.
    n_iter : int
        Alternating sweeps.
    rng : numpy.random.Generator
    model_features, task_features : ndarray, optional
        Numeric designs of the factors; when given, parameters are shrunk
        toward a ridge regression on them (penalty `prior_alpha`).

    Returns
    -------
    ALSFactorization
    """
    mask = (~np.isnan(Y)).astype(float)
    filled = np.where(mask > 0, Y, 0.0)
    mu = float(filled.sum() / mask.sum())
    n_models, n_tasks = Y.shape
    penalty = np.r_[bias_reg, np.full(rank, reg)]
    model_theta = np.zeros((n_models, rank + 1))
    task_theta = np.zeros((n_tasks, rank + 1))
    task_theta[:, 1:] = rng.normal(scale=init_scale, size=(n_tasks, rank))
    model_prior = np.zeros_like(model_theta)
    task_prior = np.zeros_like(task_theta)
    model_coef = task_coef = None
    # Contiguous transposes: BLAS is 100x slower on the strided views for tall tables.
    mask_t = np.ascontiguousarray(mask.T)
    for _ in range(n_iter):
        design = np.hstack([np.ones((n_tasks, 1)), task_theta[:, 1:]])
        residual = filled - mu - task_theta[:, 0][None, :]
        model_theta = _batched_ridge(mask, residual, design, penalty, model_prior)
        model_prior, model_coef = _prior_fit(model_theta, model_features, prior_alpha)
        design = np.hstack([np.ones((n_models, 1)), model_theta[:, 1:]])
        residual = np.ascontiguousarray((filled - mu - model_theta[:, 0][:, None]).T)
        task_theta = _batched_ridge(mask_t, residual, design, penalty, task_prior)
        task_prior, task_coef = _prior_fit(task_theta, task_features, prior_alpha)
    return ALSFactorization(mu, model_theta, task_theta, model_coef, task_coef, penalty)
