"""Nuclear-norm regularised matrix completion (``soft-impute``).

Mazumder, Hastie and Tibshirani (2010), "Spectral regularization algorithms for
learning large incomplete matrices", JMLR 11, with additive biases fitted
jointly. The model ``Y ~ mu + b_model + c_task + Z`` solves

    minimise  1/2 sum over observed cells of (Y - mu - b - c - Z)^2
              + lambda * ||Z||_*  +  bias_reg/2 * (||b||^2 + ||c||^2)

by iterating ``Z <- SVT_lambda(P_obs(R) + P_unobs(Z))`` on the residual ``R``
of the biases, where ``SVT_lambda`` shrinks every singular value by lambda
(dropping those below), each step followed by exact ridge updates of the biases.

Small tables use a full SVD of the dense matrix. Large ones never form it: the
matrix to decompose is sparse (observed residuals minus the current fit) plus
low rank (the current fit), so a randomised SVD whose range finder starts from
the previous right singular vectors costs O(observed cells * rank) per step.
"""

import numpy as np
from scipy import sparse

from .._parallel import blas_threads
from ._als import _batched_ridge
from ._base import _ONE_THREAD_CELLS, ScorePredictor
from ._registry import register

# Above this many cells, and when the rank cap is small next to the matrix, the
# randomised sparse-plus-low-rank SVD replaces the dense full SVD.
_DENSE_CELLS = 250_000
_OVERSAMPLE = 10
# Ridge sweeps of the biases alone before the low-rank part starts.
_BIAS_SWEEPS = 10


def _shrink(singular_values, lam, max_rank):
    """Soft-threshold singular values by `lam` and keep at most `max_rank` of them."""
    kept = np.maximum(singular_values - lam, 0.0)[:max_rank]
    return kept[kept > 0]


def _relative_change(old, new):
    """||Z_new - Z_old||^2 / ||Z_old||^2 for Z given as triples (U, d, V), Z = U diag(d) V'."""
    (u_old, d_old, v_old), (u_new, d_new, v_new) = old, new
    cross = np.sum((u_new.T @ u_old) * d_new[:, None] * d_old[None, :] * (v_new.T @ v_old))
    old_norm = np.sum(d_old ** 2)
    change = old_norm + np.sum(d_new ** 2) - 2 * cross
    return max(change, 0.0) / max(old_norm, 1e-300)


class _Completion:
    """Soft-impute on the observed cells of Y with additive biases fitted alongside.

    The objective is convex in (biases, Z) jointly; each iteration does one
    majorise-minimise SVT step for Z and one exact ridge step for each block of
    biases, so it decreases, and the biases end up fitted jointly with Z rather
    than once before it (which leaves shrunken rank-one structure to Z).
    """

    def __init__(self, Y, mask, max_rank, bias_reg, dense, rng):
        self.shape = Y.shape
        self.max_rank = min(max_rank, min(self.shape))
        self.rows, self.cols = np.nonzero(mask)
        self.values = Y[self.rows, self.cols]
        self.rng = rng
        self.row_counts = np.bincount(self.rows, minlength=self.shape[0])
        self.col_counts = np.bincount(self.cols, minlength=self.shape[1])
        # A model or task without observed cells (possible after hiding cells) keeps bias 0.
        self.row_denominator = np.maximum(self.row_counts + bias_reg, 1e-12)
        self.col_denominator = np.maximum(self.col_counts + bias_reg, 1e-12)
        self.dense = dense
        # Index structures of the observed cells as CSR matrices by rows and by columns, so
        # that each iteration builds its sparse matrices without sorting.
        self.row_pointer = np.r_[0, np.cumsum(self.row_counts)]
        self.col_pointer = np.r_[0, np.cumsum(self.col_counts)]
        self.by_col = np.argsort(self.cols, kind="stable")

    def bias_step(self, biases, target):
        """Exact ridge updates of mu, the model biases and the task biases, in turn."""
        mu, model_bias, task_bias = biases
        mu = float(np.mean(target - model_bias[self.rows] - task_bias[self.cols]))
        sums = np.bincount(self.rows, target - mu - task_bias[self.cols], self.shape[0])
        model_bias = sums / self.row_denominator
        sums = np.bincount(self.cols, target - mu - model_bias[self.rows], self.shape[1])
        task_bias = sums / self.col_denominator
        return mu, model_bias, task_bias

    def additive_at_observed(self, biases):
        mu, model_bias, task_bias = biases
        return mu + model_bias[self.rows] + task_bias[self.cols]

    def fit_at_observed(self, low_rank):
        u, d, v = low_rank
        return np.einsum("ik,ik->i", u[self.rows] * d, v[self.cols])

    def top_singular_value(self, residual):
        """Largest singular value of the zero-filled residual: the smallest lambda giving Z = 0."""
        matrix = sparse.csr_matrix((residual, (self.rows, self.cols)), shape=self.shape)
        if self.dense:
            return float(np.linalg.norm(matrix.toarray(), 2))
        from scipy.sparse.linalg import svds

        # ARPACK's start vector is drawn from the seeded generator for reproducibility.
        start = self.rng.normal(size=min(self.shape))
        return float(svds(matrix, k=1, v0=start, return_singular_vectors=False)[0])

    def svt_step(self, low_rank, low_rank_at_observed, residual, lam):
        """SVT of P_obs(residual) + P_unobs(Z) for the current Z = U diag(d) V'."""
        u, d, v = low_rank
        if self.dense:
            full = (u * d) @ v.T
            full[self.rows, self.cols] = residual
            left, values, right_t = np.linalg.svd(full, full_matrices=False)
            right = right_t.T
        else:
            left, values, right = self._randomized_svd(low_rank, residual - low_rank_at_observed)
        kept = _shrink(values, lam, self.max_rank)
        return left[:, :len(kept)], kept, right[:, :len(kept)]

    def _randomized_svd(self, low_rank, observed_difference):
        # P_obs(R) + P_unobs(Z) = P_obs(R - Z) + Z: a sparse matrix plus the low-rank fit.
        u, d, v = low_rank
        difference = sparse.csr_matrix((observed_difference, self.cols, self.row_pointer),
                                       shape=self.shape)
        difference_t = sparse.csr_matrix((observed_difference[self.by_col],
                                          self.rows[self.by_col], self.col_pointer),
                                         shape=self.shape[::-1])

        def times(w):
            return difference @ w + u @ (d[:, None] * (v.T @ w))

        def times_t(w):
            return difference_t @ w + v @ (d[:, None] * (u.T @ w))

        width = self.max_rank + _OVERSAMPLE
        # Warm start: the previous right singular vectors span most of the new range, so
        # one power iteration is enough.
        extra = self.rng.normal(size=(self.shape[1], width - v.shape[1]))
        basis, _ = np.linalg.qr(times(np.hstack([v, extra])))
        basis, _ = np.linalg.qr(times(np.linalg.qr(times_t(basis))[0]))
        small_left, values, right_t = np.linalg.svd(times_t(basis).T, full_matrices=False)
        return basis @ small_left, values, right_t.T


@register("soft-impute")
class SoftImpute(ScorePredictor):
    """Soft-impute: nuclear-norm regularised matrix completion, with additive biases.

    Learns ``score ~ mu + model bias + task bias + Z`` in the target space,
    where ``Z`` is the nuclear-norm regularised completion of what the biases
    leave (Mazumder, Hastie and Tibshirani 2010): the iteration
    ``Z <- SVT_lambda(P_obs(R) + P_unobs(Z))``, warm started along a
    decreasing path of lambdas, with the ridge-penalised biases updated after
    every step (fitting them once beforehand instead, as is common, was
    clearly less accurate). The rank is what survives the shrinkage, capped
    at `max_rank`.

    Parameters
    ----------
    shrinkage : float, default=0.05
        Lambda as a fraction of the largest singular value of the zero-filled
        residual matrix (the smallest lambda that gives ``Z = 0``): 1 gives
        the additive model, values near 0 an unregularised completion.
    max_rank : int, default=4
        At most this many singular values are kept. It also sets the width of
        the randomised SVD on large tables. On the CPP data and on synthetic
        tables of rank 1 to 8, a small cap with mild shrinkage (the defaults)
        predicted held-out cells better than shrinkage alone (e.g.
        ``max_rank=50, shrinkage=0.1``), which is the pure nuclear-norm
        estimator.
    n_lambdas : int, default=5
        Length of the geometric path of lambdas from the largest singular value
        down to the final lambda, each step warm-started from the last.
    tol : float, default=1e-5
        Convergence: relative squared change of ``Z`` between iterations.
    max_iter : int, default=200
        Iterations at most for each lambda of the path.
    bias_reg : float, default=0.1
        Ridge penalty of the model and task biases (also of a new model's or
        task's bias when it is folded in).
    target : str, default="task"
        Target space (see :mod:`scorecast.targets`).
    random_state : int or None, default=None
        Seed of the randomised SVD used on large tables (small tables are
        fitted deterministically).

    Attributes
    ----------
    lambda_ : float
        The final lambda, in target-space units.
    singular_values_ : ndarray of shape (rank,)
        Singular values of ``Z`` after shrinkage.
    model_embedding_, task_embedding_ : ndarray of shape (n, rank)
        ``U diag(sqrt(d))`` and ``V diag(sqrt(d))``: ``Z`` is their product.
    mu_ : float
    model_bias_, task_bias_ : ndarray
    n_iter_ : int
        Iterations done over the whole path.

    Notes
    -----
    A new model is folded in by the ridge regression that the nuclear norm
    implies for one row: ``min 1/2 ||y - b - B a||^2 + lambda/2 ||a||^2`` with
    ``B = V diag(sqrt(d))`` (the factored form of the nuclear norm, whose
    solution the fitted rows satisfy), plus its own bias ``b`` with penalty
    `bias_reg`. A new task is folded in symmetrically with ``U diag(sqrt(d))``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from scorecast.predictors import SoftImpute
    >>> rng = np.random.default_rng(0)
    >>> full = 50 + 10 * rng.normal(size=(20, 2)) @ rng.normal(size=(2, 6))
    >>> scores = pd.DataFrame(np.where(rng.random(full.shape) < 0.7, full, np.nan))
    >>> completed = SoftImpute(random_state=0).fit(scores).complete()
    >>> bool(completed.notna().all().all())
    True
    """

    def __init__(self, shrinkage=0.05, max_rank=4, n_lambdas=5, tol=1e-5, max_iter=200,
                 bias_reg=0.1, target="task", random_state=None):
        self.shrinkage = shrinkage
        self.max_rank = max_rank
        self.n_lambdas = n_lambdas
        self.tol = tol
        self.max_iter = max_iter
        self.bias_reg = bias_reg
        self.target = target
        self.random_state = random_state

    def _fit(self, inputs):
        # Threads do not pay for many small SVDs, nor for the tall, thin QRs of the
        # randomised SVD, and they cost dearly when other processes share the cores:
        # only a large dense SVD gets them.
        dense = inputs.Y.size <= _DENSE_CELLS or 2 * (self.max_rank + _OVERSAMPLE) >= \
            min(inputs.Y.shape)
        threaded = dense and inputs.Y.size > _ONE_THREAD_CELLS
        with blas_threads(None if threaded else 1):
            biases, (left, values, right) = self._solve(inputs, dense)
        self.mu_, self.model_bias_, self.task_bias_ = biases
        self.singular_values_ = values
        self.model_embedding_ = left * np.sqrt(values)
        self.task_embedding_ = right * np.sqrt(values)

    def _solve(self, inputs, dense):
        """Biases and the factored Z = U diag(d) V' along the path of lambdas."""
        completion = _Completion(inputs.Y, inputs.mask, int(self.max_rank), float(self.bias_reg),
                                 dense, inputs.rng)
        n_models, n_tasks = inputs.Y.shape
        observed = completion.values
        biases = (0.0, np.zeros(n_models), np.zeros(n_tasks))
        for _ in range(_BIAS_SWEEPS):
            biases = completion.bias_step(biases, observed)
        lam_max = completion.top_singular_value(observed - completion.additive_at_observed(biases))
        self.lambda_ = float(self.shrinkage) * lam_max
        low_rank = (np.zeros((n_models, 0)), np.zeros(0), np.zeros((n_tasks, 0)))
        self.n_iter_ = 0
        if not lam_max > 0:  # the biases fit every observed score: nothing low-rank is left
            return biases, low_rank
        # Warm starts along a decreasing path: each solution is close to the next one.
        path = np.geomspace(max(lam_max, self.lambda_), max(self.lambda_, 1e-12 * lam_max),
                            max(int(self.n_lambdas), 1) + 1)[1:]
        low_rank_at_observed = np.zeros_like(observed)
        for lam in path:
            for _ in range(int(self.max_iter)):
                residual = observed - completion.additive_at_observed(biases)
                new = completion.svt_step(low_rank, low_rank_at_observed, residual, lam)
                low_rank_at_observed = completion.fit_at_observed(new)
                biases = completion.bias_step(biases, observed - low_rank_at_observed)
                self.n_iter_ += 1
                change = _relative_change(low_rank, new) if len(low_rank[1]) else np.inf
                low_rank = new
                if change < self.tol or not len(new[1]):
                    break
        return biases, low_rank

    def _additive(self):
        return self.mu_ + self.model_bias_[:, None] + self.task_bias_[None, :]

    def _predict_full(self):
        return self._additive() + self.model_embedding_ @ self.task_embedding_.T

    def _fold_in(self, y, own_bias, other_embedding):
        """Ridge fit of a new row's bias and embedding on the other side's embeddings."""
        known = ~np.isnan(y)
        level = self.mu_ + own_bias
        design = np.hstack([np.ones((len(y), 1)), other_embedding])
        penalty = np.r_[max(self.bias_reg, 1e-6), np.full(other_embedding.shape[1],
                                                          max(self.lambda_, 1e-12))]
        residual = np.where(known, y - level, 0.0)
        theta = _batched_ridge(known[None, :].astype(float), residual[None, :], design, penalty,
                               np.zeros((1, design.shape[1])))[0]
        return level + design @ theta

    def _fold_in_model(self, y, numeric, codes):
        if np.isnan(y).all():
            return None
        return self._fold_in(y, self.task_bias_, self.task_embedding_)

    def _fold_in_task(self, y, numeric, codes):
        if np.isnan(y).all():
            return None
        return self._fold_in(y, self.model_bias_, self.model_embedding_)
