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
    return _solve(mask @ _outer(design), (mask * residual) @ design, penalty, prior)


def _outer(design):
    """Each row's outer product with itself, flattened: (n, width * width)."""
    return (design[:, :, None] * design[:, None, :]).reshape(len(design), -1)


def _solve(gram, rhs, penalty, prior):
    """The ridge solutions of a batch of normal equations (`gram` flattened per row)."""
    width = len(penalty)
    normal = gram.reshape(-1, width, width) + np.diag(penalty)
    return np.linalg.solve(normal, (rhs + prior * penalty)[..., None])[..., 0]


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

    def __init__(self, mu, model_theta, task_theta, model_coef, task_coef, penalty,
                 model_side=None, side_penalty=None):
        self.mu = mu
        self.model_theta = model_theta      # (n_models, 1 + rank): bias, vector
        self.task_theta = task_theta        # (n_tasks, 1 + rank + n_side): bias, vector, slopes
        self.model_coef = model_coef        # prior regression on model factors, or None
        self.task_coef = task_coef
        self.penalty = penalty              # (1 + rank,): bias penalty, vector penalty
        self.model_side = model_side        # (n_models, n_side) or None
        self.side_penalty = side_penalty    # (n_side,) or None

    @property
    def rank(self):
        return self.model_theta.shape[1] - 1

    def _side_term(self, side, task_theta):
        if self.model_side is None:
            return 0.0
        return side @ task_theta[:, 1 + self.rank:].T

    def full(self):
        b, p = self.model_theta[:, 0], self.model_theta[:, 1:]
        c, q = self.task_theta[:, 0], self.task_theta[:, 1:1 + self.rank]
        return (self.mu + b[:, None] + c[None, :] + p @ q.T
                + self._side_term(self.model_side, self.task_theta))

    def fold_in(self, y, features, axis, side=None):
        """Predictions for one new model (axis=0) or task (axis=1) from its known values.

        `features` are its factors for the prior (or None); `side` a new
        model's side features (for a factorisation with model side features).
        """
        if axis == 0:
            return self.fold_in_models(y[None, :], None if features is None else features[None],
                                       None if side is None else side[None])[0]
        known = ~np.isnan(y)
        prior = _prior_apply(self.task_coef, features[None, :]) if features is not None \
            else None
        fixed = self.model_theta
        design, penalty = np.hstack([np.ones((len(fixed), 1)), fixed[:, 1:]]), self.penalty
        if self.model_side is not None:
            # A new task's slopes start from none: its scores fit them like its bias.
            design = np.hstack([design, self.model_side])
            penalty = np.r_[penalty, self.side_penalty]
            if prior is not None:
                prior = np.hstack([prior, np.zeros((1, len(self.side_penalty)))])
        prior = np.zeros((1, len(penalty))) if prior is None else prior
        base = self.mu + fixed[:, 0]
        residual = np.where(known, y - base, 0.0)
        theta = _batched_ridge(known[None, :].astype(float), residual[None, :], design,
                               penalty, prior)[0]
        return base + design[:, 1:] @ theta[1:] + theta[0]

    def fold_in_models(self, Y, features=None, side=None):
        """Predictions for new models (rows of `Y`, NaN where unknown), all at once.

        `features` (one row per model) feed the prior, `side` the side term, as in
        :meth:`fold_in`.
        """
        known = ~np.isnan(Y)
        fixed = self.task_theta[:, :1 + self.rank]
        offset = 0.0 if self.model_side is None else self._side_term(side, self.task_theta)
        design = np.hstack([np.ones((len(fixed), 1)), fixed[:, 1:]])
        prior = _prior_apply(self.model_coef, features) if features is not None else None
        prior = np.zeros((len(Y), len(self.penalty))) if prior is None else \
            prior[:, :len(self.penalty)]
        base = self.mu + fixed[:, 0] + offset
        residual = np.where(known, Y - base, 0.0)
        theta = _batched_ridge(known.astype(float), residual, design, self.penalty, prior)
        return base + theta[:, 1:] @ design[:, 1:].T + theta[:, :1]


def fit_als(Y, rank, reg, bias_reg, n_iter, rng, model_features=None, task_features=None,
            prior_alpha=1.0, init_scale=0.1, model_side=None, side_reg=1.0):
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
    model_side : ndarray of shape (n_models, n_side), optional
        Model features with a slope per task, ridge-penalised by `side_reg`:
        ``Y[i, j] ~ mu + b + c + P[i] . Q[j] + model_side[i] . W[j]``. Each
        task gets its own regression on the model factors (a code model's
        family lifts its code tasks, not its others), which a low-rank
        factorisation would have to spend latent dimensions on.

    Returns
    -------
    ALSFactorization
    """
    mask = (~np.isnan(Y)).astype(float)
    filled = np.where(mask > 0, Y, 0.0)
    mu = float(filled.sum() / mask.sum())
    n_models, n_tasks = Y.shape
    penalty = np.r_[bias_reg, np.full(rank, reg)]
    side = np.zeros((n_models, 0)) if model_side is None else np.asarray(model_side, float)
    side_penalty = np.full(side.shape[1], float(side_reg))
    model_theta = np.zeros((n_models, rank + 1))
    task_theta = np.zeros((n_tasks, rank + 1))
    task_theta[:, 1:] = rng.normal(scale=init_scale, size=(n_tasks, rank))
    slopes = np.zeros((n_tasks, side.shape[1]))
    model_prior = np.zeros_like(model_theta)
    task_prior = np.zeros_like(task_theta)
    model_coef = task_coef = None
    # Contiguous transposes: BLAS is 100x slower on the strided views for tall tables.
    mask_t = np.ascontiguousarray(mask.T)
    # The slopes are a third block of the alternation: their normal matrices never change,
    # so they are inverted once (one ridge per task on the fixed side features).
    side_inverse = np.stack([np.linalg.inv(side.T @ (side * mask[:, [j]])
                                           + np.diag(side_penalty))
                             for j in range(n_tasks)]) if side.shape[1] else None
    side_term = np.zeros_like(filled)
    for _ in range(n_iter):
        design = np.hstack([np.ones((n_tasks, 1)), task_theta[:, 1:]])
        residual = filled - mu - task_theta[:, 0][None, :] - side_term
        model_theta = _batched_ridge(mask, residual, design, penalty, model_prior)
        model_prior, model_coef = _prior_fit(model_theta, model_features, prior_alpha)
        design = np.hstack([np.ones((n_models, 1)), model_theta[:, 1:]])
        residual = np.ascontiguousarray((filled - mu - model_theta[:, 0][:, None]
                                         - side_term).T)
        task_theta = _batched_ridge(mask_t, residual, design, penalty, task_prior)
        task_prior, task_coef = _prior_fit(task_theta, task_features, prior_alpha)
        if side_inverse is not None:
            fitted = (mu + model_theta[:, 0][:, None] + task_theta[:, 0][None, :]
                      + model_theta[:, 1:] @ task_theta[:, 1:].T)
            rhs = side.T @ (mask * (filled - fitted))            # (n_side, n_tasks)
            slopes = np.einsum("jab,bj->ja", side_inverse, rhs)
            side_term = side @ slopes.T
    if model_side is None:
        return ALSFactorization(mu, model_theta, task_theta, model_coef, task_coef, penalty)
    return ALSFactorization(mu, model_theta, np.hstack([task_theta, slopes]), model_coef,
                            task_coef, penalty, side, side_penalty)


class _Coordinates:
    """The scored cells of one side as a CSR matrix (rows: models, or tasks), whose data
    can be replaced by any per-cell values without rebuilding the structure."""

    def __init__(self, rows, cols, n_rows, n_cols):
        from scipy import sparse

        self.order = np.lexsort((cols, rows))
        indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n_rows))]
        self._make = lambda data: sparse.csr_matrix(
            (data, cols[self.order], indptr), shape=(n_rows, n_cols))
        self.mask = self._make(np.ones(len(rows)))

    def with_values(self, values):
        return self._make(values[self.order])


def fit_als_sparse(rows, cols, values, shape, rank, reg, bias_reg, n_iter, rng,
                   init_scale=0.1):
    """:func:`fit_als` on the scored cells given as coordinates, never as a dense table.

    The normal matrices are sparse-dense products (the mask times each task's
    (model's) outer product), so time and memory grow with the scored cells
    and the number of models and tasks, not with their product.

    Parameters
    ----------
    rows, cols : ndarray of int
        Model and task index of each scored cell.
    values : ndarray of float
    shape : (int, int)
        Models and tasks.
    rank, reg, bias_reg, n_iter, rng, init_scale
        As in :func:`fit_als`.

    Returns
    -------
    ALSFactorization
        Without factor priors; ``full()`` would be dense: use :func:`predict_cells`.
    """
    n_models, n_tasks = shape
    by_model = _Coordinates(rows, cols, n_models, n_tasks)
    by_task = _Coordinates(cols, rows, n_tasks, n_models)
    mu = float(values.mean())
    penalty = np.r_[bias_reg, np.full(rank, reg)]
    model_theta = np.zeros((n_models, rank + 1))
    task_theta = np.zeros((n_tasks, rank + 1))
    task_theta[:, 1:] = rng.normal(scale=init_scale, size=(n_tasks, rank))
    for _ in range(n_iter):
        design = np.hstack([np.ones((n_tasks, 1)), task_theta[:, 1:]])
        residual = by_model.with_values(values - mu - task_theta[cols, 0])
        model_theta = _solve(by_model.mask @ _outer(design), residual @ design, penalty, 0.0)
        design = np.hstack([np.ones((n_models, 1)), model_theta[:, 1:]])
        residual = by_task.with_values(values - mu - model_theta[rows, 0])
        task_theta = _solve(by_task.mask @ _outer(design), residual @ design, penalty, 0.0)
    return ALSFactorization(mu, model_theta, task_theta, None, None, penalty)


def predict_cells(factorization, rows, cols):
    """The factorisation's values of the cells (rows[k], cols[k]), in chunks."""
    out = np.empty(len(rows))
    model, task = factorization.model_theta, factorization.task_theta
    for start in range(0, len(rows), 1 << 20):
        i, j = rows[start:start + (1 << 20)], cols[start:start + (1 << 20)]
        out[start:start + len(i)] = (factorization.mu + model[i, 0] + task[j, 0]
                                     + np.einsum("ck,ck->c", model[i, 1:], task[j, 1:]))
    return out
