"""Neural collaborative filtering: ``ncf``, ``ncf-factors`` and ``factors-only``.

The network is the CPP paper's (He et al. 2017's NCF): a GMF branch, the
elementwise product of a model and a task embedding, and an MLP branch on the
concatenated embeddings (64 -> 32 -> 16, ReLU, dropout), joined by a linear
output. ``ncf-factors`` adds a factor vector (a linear map of the numeric
factors plus one embedding per categorical factor) to the MLP branch's
embeddings; ``factors-only`` has no ID embeddings: the factor vector takes
their place in both branches.

Training is not the paper's 250,000 epochs of SGD but full-batch Adam with
weight decay, stopped early on a validation split of the training cells, then
(by default) refitted on every cell for the best number of epochs: seconds
instead of hours, and more accurate. The ``n_networks`` networks are trained
together as one batched ensemble, early stopping and refit in the same pass
(:mod:`scorecast.predictors._ncf_ensemble`).

PyTorch is an optional extra, imported on first use: the torch classes are
built the first time a network is needed, and a stand-in registered at import
lets :func:`scorecast.load_predictor` rebuild a saved network before torch has
been imported.
"""

import functools
import threading

import numpy as np

from ..errors import ScorecastError
from ..persistence import persistable
from ._base import ScorePredictor
from ._ncf_ensemble import train_ensemble
from ._registry import register

__all__ = ["NCF", "NCFFactors", "FactorsOnly"]

_HIDDEN = [64, 32, 16]
_FOLD_IN_STEPS = 300
_FOLD_IN_LR = 0.05
_NETWORK_CLASSES = {}
# The torch thread count saved by the first of the running fits, and one entry per fit.
_THREADS_SAVED = []
_THREADS_LOCK = threading.Lock()


def _import_torch():
    try:
        import torch
    except ImportError:
        raise ScorecastError("the neural methods need PyTorch: pip install torch==2.13.0") \
            from None
    return torch


def _single_threaded(method):
    """Run `method` with one torch thread, restoring the count when the last such call ends.

    The tensors are tiny: a second thread only adds synchronisation (on a busy
    2-core machine a fit took 16 times longer with two), and one thread keeps
    results independent of the machine's thread count. The count is global to
    the process, so concurrent fits (the threading backend) share one setting.
    """

    @functools.wraps(method)
    def run(*args, **kwargs):
        torch = _import_torch()
        with _THREADS_LOCK:
            if not _THREADS_SAVED:
                _THREADS_SAVED.append(torch.get_num_threads())
                torch.set_num_threads(1)
            _THREADS_SAVED.append(None)
        try:
            return method(*args, **kwargs)
        finally:
            with _THREADS_LOCK:
                _THREADS_SAVED.pop()
                if len(_THREADS_SAVED) == 1:
                    torch.set_num_threads(_THREADS_SAVED.pop())

    return run


def _level_variance(residual, axis, noise_var):
    """Variance of the mean residual of each row (axis 1) or column (axis 0) beyond what
    the noise explains: an empirical-Bayes prior variance of a new row's level shift."""
    counts = (~np.isnan(residual)).sum(axis=axis)
    seen = counts > 0
    means = np.nansum(residual, axis=axis)[seen] / counts[seen]
    return max(float(np.var(means) - np.mean(noise_var / counts[seen])), 1e-6)


def _network_class():
    """The torch module class of the networks, defined (once) on first use."""
    if "NCFNetwork" in _NETWORK_CLASSES:
        return _NETWORK_CLASSES["NCFNetwork"]
    torch = _import_torch()
    nn = torch.nn

    class Side(nn.Module):
        """One side of the table (models or tasks): ID embeddings and the factor vector."""

        def __init__(self, n_ids, dim, n_numeric, cardinalities, use_ids, use_factors):
            super().__init__()
            self.ids = nn.ModuleList([nn.Embedding(n_ids, dim) for _ in range(2)]) \
                if use_ids else None
            for embedding in self.ids or ():
                nn.init.normal_(embedding.weight, std=0.1)
            use_numeric = use_factors and n_numeric > 0
            self.numeric = nn.Linear(n_numeric, dim) if use_numeric else None
            # Code 0 (missing or unseen) adds nothing: such a factor is simply absent.
            self.categorical = nn.ModuleList(
                [nn.Embedding(card, dim, padding_idx=0) for card in cardinalities]
                if use_factors else [])
            for embedding in self.categorical:
                nn.init.normal_(embedding.weight, std=0.1)
                with torch.no_grad():
                    embedding.weight[0].zero_()
            self.dim = dim
            self.use_factors = use_factors

        def factor_vector(self, numeric, codes):
            """Sum of the numeric map and the categorical embeddings, or None without factors."""
            if not self.use_factors:
                return None
            total = torch.zeros(len(codes), self.dim, dtype=torch.float32)
            if self.numeric is not None:
                total = total + self.numeric(numeric)
            for k, embedding in enumerate(self.categorical):
                total = total + embedding(codes[:, k])
            return total

        def vectors(self, free, factor):
            """GMF and MLP inputs from ID embeddings (`free`: a pair, or None) and factors."""
            if free is None:
                return factor, factor
            gmf, mlp = free
            return gmf, (mlp if factor is None else mlp + factor)

        def embeddings(self):
            """The fitted (GMF, MLP) ID embedding tables, or None."""
            return None if self.ids is None else (self.ids[0].weight, self.ids[1].weight)

    class Dropout(nn.Module):
        """Inverted dropout from a uniform draw: on CPU twice as fast as nn.Dropout's."""

        def __init__(self, p):
            super().__init__()
            self.p = p

        def forward(self, x):
            if not self.training or self.p == 0:
                return x
            return x * (torch.rand_like(x) >= self.p) / (1 - self.p)

    class NCFNetwork(nn.Module):
        """GMF + MLP network over model and task representations (see the module docs)."""

        def __init__(self, n_models, n_tasks, embedding_dim, hidden, dropout, model_numeric,
                     model_cardinalities, task_numeric, task_cardinalities, use_ids,
                     use_factors):
            super().__init__()
            self.config = dict(
                n_models=n_models, n_tasks=n_tasks, embedding_dim=embedding_dim,
                hidden=list(hidden), dropout=dropout, model_numeric=model_numeric,
                model_cardinalities=list(model_cardinalities), task_numeric=task_numeric,
                task_cardinalities=list(task_cardinalities), use_ids=use_ids,
                use_factors=use_factors)
            self.models = Side(n_models, embedding_dim, model_numeric, model_cardinalities,
                               use_ids, use_factors)
            self.tasks = Side(n_tasks, embedding_dim, task_numeric, task_cardinalities,
                              use_ids, use_factors)
            layers, width = [], 2 * embedding_dim
            for size in hidden:
                layers += [nn.Linear(width, size), nn.ReLU(), Dropout(dropout)]
                width = size
            self.mlp = nn.Sequential(*layers)
            self.output = nn.Linear(embedding_dim + width, 1)

        def side_vectors(self, side, numeric, codes):
            """GMF and MLP inputs of every fitted model (task) of `side`."""
            factor = side.factor_vector(numeric, codes)
            return side.vectors(side.embeddings(), factor)

        def score(self, model_vectors, task_vectors):
            """Predictions for aligned rows of model and task vectors."""
            (model_gmf, model_mlp), (task_gmf, task_mlp) = model_vectors, task_vectors
            hidden = self.mlp(torch.cat([model_mlp, task_mlp], dim=1))
            return self.output(torch.cat([model_gmf * task_gmf, hidden], dim=1))[:, 0]

        def forward(self, rows, cols, inputs):
            """Predictions of the cells (rows[k], cols[k]); `inputs` are the encoded factors."""
            model_vectors = self.side_vectors(self.models, *inputs[:2])
            task_vectors = self.side_vectors(self.tasks, *inputs[2:])
            return self.score([v[rows] for v in model_vectors],
                              [v[cols] for v in task_vectors])

    for cls, name in ((Side, "NCFSide"), (Dropout, "NCFDropout"), (NCFNetwork, "NCFNetwork")):
        cls.__module__, cls.__qualname__, cls.__name__ = __name__, name, name
    _NETWORK_CLASSES["NCFNetwork"] = persistable(NCFNetwork)
    return NCFNetwork


@persistable
def NCFNetwork(**config):  # noqa: N802 - stands in for the torch class of the same name
    """Build the network from its config: the entry :func:`scorecast.load_predictor` finds
    before the torch class exists (defining it replaces this entry)."""
    return _network_class()(**config)


class NeuralPredictor(ScorePredictor):
    """Shared fitting, prediction and fold-in of the NCF-style predictors.

    Subclasses set ``uses_ids`` (ID embeddings) and ``uses_factors`` (factor vectors).
    """

    uses_ids = True

    def __init__(self, embedding_dim=8, dropout=0.2, lr=0.003, weight_decay=1.0,
                 max_epochs=3000, patience=100, validation_fraction=0.1, refit=True,
                 n_networks=5, target="task", random_state=None):
        self.embedding_dim = embedding_dim
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.refit = refit
        self.n_networks = n_networks
        self.target = target
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    @_single_threaded
    def _fit(self, inputs):
        if not (0 <= self.validation_fraction < 1):
            raise ScorecastError(f"validation_fraction must be in [0, 1), not "
                                 f"{self.validation_fraction!r}")
        if int(self.n_networks) < 1:
            raise ScorecastError(f"n_networks must be at least 1, not {self.n_networks!r}")
        torch = _import_torch()
        self.factor_inputs_ = (inputs.model_numeric.astype(np.float32), inputs.model_codes,
                               inputs.task_numeric.astype(np.float32), inputs.task_codes)
        cells = np.argwhere(inputs.mask)
        values = inputs.Y[inputs.mask]
        config = self._network_config(inputs)
        n_val = int(round(self.validation_fraction * len(cells)))
        if len(cells) - n_val < 1:
            n_val = 0
        # Each network its own validation split and initial weights, drawn from the rng.
        validation, seeds = [], []
        for _ in range(int(self.n_networks)):
            validation.append(inputs.rng.permutation(len(cells))[:n_val])
            seeds.append(int(inputs.rng.integers(2 ** 31)))
        states, stats = train_ensemble(
            torch, config, self._tensors(), cells, values, validation if n_val else None,
            seeds, dropout_seed=int(inputs.rng.integers(2 ** 31)), lr=self.lr,
            weight_decay=self.weight_decay, max_epochs=int(self.max_epochs),
            patience=int(self.patience), refit=bool(self.refit))
        self.networks_ = [self._frozen(config, state) for state in states]
        self.best_epochs_, self.stopped_epochs_, self.validation_losses_ = \
            (np.array(column) for column in zip(*stats))
        residuals = [self._network_full(network) - inputs.Y for network in self.networks_]
        # Each network's noise level, for the likelihood of its fold-in (floored: a
        # perfect fit of the training cells is no licence to trust them blindly).
        self.noise_vars_ = np.array([max(float(np.nanmean(r ** 2)), 1e-3) for r in residuals])
        self.level_vars_ = np.array([[_level_variance(r, 1 - axis, noise_var) for axis in (0, 1)]
                                     for r, noise_var in zip(residuals, self.noise_vars_)])

    @staticmethod
    def _frozen(config, state):
        """A network module holding trained weights, frozen for prediction and fold-in."""
        torch = _import_torch()
        # The module's own initialisation is overwritten: keep it off torch's global RNG.
        with torch.random.fork_rng(devices=[]):
            network = _network_class()(**config)
        network.load_state_dict(state)
        network.eval()
        network.requires_grad_(False)
        return network

    def _network_config(self, inputs):
        return dict(
            n_models=inputs.Y.shape[0], n_tasks=inputs.Y.shape[1],
            embedding_dim=int(self.embedding_dim), hidden=list(_HIDDEN),
            dropout=float(self.dropout),
            model_numeric=inputs.model_numeric.shape[1],
            model_cardinalities=self._cardinalities("model"),
            task_numeric=inputs.task_numeric.shape[1],
            task_cardinalities=self._cardinalities("task"),
            use_ids=self.uses_ids, use_factors=self.uses_factors)

    def _cardinalities(self, what):
        encoder = getattr(self, f"{what}_encoder_", None)
        return encoder.cardinalities if encoder is not None and self.uses_factors else []

    def _tensors(self):
        torch = _import_torch()
        return [torch.from_numpy(np.ascontiguousarray(a)) for a in self.factor_inputs_]

    # ------------------------------------------------------------------ prediction
    @_single_threaded
    def _predict_full(self):
        return np.mean([self._network_full(network) for network in self.networks_], axis=0)

    def _network_full(self, network):
        torch = _import_torch()
        n_models, n_tasks = network.config["n_models"], network.config["n_tasks"]
        rows = torch.arange(n_models).repeat_interleave(n_tasks)
        cols = torch.arange(n_tasks).repeat(n_models)
        with torch.no_grad():
            full = network(rows, cols, self._tensors())
        return full.numpy().astype(np.float64).reshape(n_models, n_tasks)

    @_single_threaded
    def _predict_cells(self, cells, factor_inputs):
        """Target-space predictions of fitted cells with other factor inputs, without refitting.

        What :mod:`scorecast.importance` plays its games on: a factor is made
        absent by changing its encoded inputs, here given cell by cell.

        Parameters
        ----------
        cells : ndarray of int of shape (n_cells, 2)
            Row (fitted model) and column (fitted task) of each cell.
        factor_inputs : tuple of 4 ndarrays
            ``model_numeric, model_codes, task_numeric, task_codes`` as in
            ``factor_inputs_``, but with one row per cell (n_cells rows).

        Returns
        -------
        ndarray of shape (n_cells,)
            The mean of the networks' predictions.
        """
        torch = _import_torch()
        index = [torch.from_numpy(np.ascontiguousarray(cells[:, k], dtype=np.int64))
                 for k in range(2)]
        numeric_codes = [torch.from_numpy(np.ascontiguousarray(a, dtype=dtype)) for a, dtype
                         in zip(factor_inputs, (np.float32, np.int64) * 2)]
        total = np.zeros(len(cells))
        with torch.no_grad():
            for network in self.networks_:
                vectors = []
                for side, rows, numeric, codes in (
                        (network.models, index[0], *numeric_codes[:2]),
                        (network.tasks, index[1], *numeric_codes[2:])):
                    ids = side.embeddings()
                    free = None if ids is None else [table[rows] for table in ids]
                    vectors.append(side.vectors(free, side.factor_vector(numeric, codes)))
                total += network.score(*vectors).numpy()
        return total / len(self.networks_)

    def _fold_in_model(self, y, numeric, codes):
        return self._fold_in(0, y, numeric, codes)

    def _fold_in_task(self, y, numeric, codes):
        return self._fold_in(1, y, numeric, codes)

    @_single_threaded
    def _fold_in(self, axis, y, numeric, codes):
        """The mean of the networks' fold-ins (see `_fold_in_network`), or None."""
        predictions = [self._fold_in_network(k, axis, y, numeric, codes)
                       for k in range(len(self.networks_))]
        return None if predictions[0] is None else np.mean(predictions, axis=0)

    def _fold_in_network(self, k, axis, y, numeric, codes):
        """Network k's predictions for a new model (axis 0) or task (axis 1), frozen.

        With ID embeddings, the new one's embeddings are the MAP estimate on the known
        cells under a Gaussian prior centred on the mean fitted embedding (its spread
        is the fitted embeddings'); the factor vector, if any, is added as in fitting.
        Without, the known cells shift the factor-based prediction by the MAP level
        shift (prior variance: ``level_vars_``).
        """
        network, noise_var = self.networks_[k], self.noise_vars_[k]
        torch = _import_torch()
        network.requires_grad_(False)       # a loaded network comes back trainable
        inputs = self._tensors()
        sides = (network.models, network.tasks)
        with torch.no_grad():
            other = network.side_vectors(sides[1 - axis], *inputs[2 - 2 * axis:4 - 2 * axis])
            factor = sides[axis].factor_vector(
                torch.from_numpy(np.asarray(numeric, np.float32)[None, :]),
                torch.from_numpy(np.asarray(codes, np.int64)[None, :]))
        n_other = len(other[0])
        known = ~np.isnan(y)

        def predict(free):
            new = [v.expand(n_other, -1) for v in sides[axis].vectors(free, factor)]
            return network.score(*((new, other) if axis == 0 else (other, new)))

        if not self.uses_ids:
            with torch.no_grad():
                prediction = predict(None).numpy().astype(np.float64)
            shrink = noise_var / self.level_vars_[k, axis]
            return prediction + np.sum(y[known] - prediction[known]) / (known.sum() + shrink)
        if not known.any() and factor is None:
            return None
        tables = sides[axis].embeddings()
        means = [table.mean(dim=0, keepdim=True) for table in tables]
        spreads = [table.var(dim=0, keepdim=True) + 1e-6 for table in tables]
        free = [mean.clone().requires_grad_(True) for mean in means]
        if known.any():
            index = torch.from_numpy(np.flatnonzero(known))
            target = torch.from_numpy(y[known].astype(np.float32))
            optimizer = torch.optim.Adam(free, lr=_FOLD_IN_LR)
            for _ in range(_FOLD_IN_STEPS):
                optimizer.zero_grad()
                loss = torch.sum((predict(free)[index] - target) ** 2) / noise_var
                loss = loss + sum(torch.sum((v - m) ** 2 / s)
                                  for v, m, s in zip(free, means, spreads))
                loss.backward()
                optimizer.step()
        with torch.no_grad():
            return predict(free).numpy().astype(np.float64)


_PARAMETERS = """
    Parameters
    ----------
    embedding_dim : int, default=8
        Size of each embedding (ID and factor vectors).
    dropout : float, default=0.2
        Dropout after each hidden layer of the MLP branch.
    lr : float, default=0.003
        Adam learning rate.
    weight_decay : float, default=1.0
        Decoupled weight decay (AdamW) of every parameter.
    max_epochs : int, default=3000
        Most full-batch steps.
    patience : int, default=100
        Stop when the validation loss has not improved for this many epochs.
    validation_fraction : float, default=0.1
        Share of the training cells held out, at random, for early stopping;
        0 trains for `max_epochs` without stopping.
    refit : bool, default=True
        After early stopping, train again on every cell for the best number
        of epochs (else keep the best epoch's weights).
    n_networks : int, default=5
        Networks trained, each with its own validation split and initial
        weights; predictions are their mean (on a few hundred cells a single
        network's early stopping is noisy, and averaging cuts the error).
    target : str, default="task"
        Target space (see :mod:`scorecast.targets`).
    random_state : int or None, default=None
        Seed of the validation splits, the initial weights and the dropout.

    Attributes
    ----------
    networks_ : list of torch.nn.Module
        The trained networks (frozen).
    best_epochs_ : ndarray of int
        Each network's epoch of lowest validation loss (the epochs of its refit).
    stopped_epochs_ : ndarray of int
        Each network's last epoch run before early stopping.
    validation_losses_ : ndarray of float
        Each network's lowest validation loss (target space), NaN without validation.
    noise_vars_ : ndarray of float
        Each network's mean squared error on the training cells: the noise
        level its fold-in assumes.
    level_vars_ : ndarray of shape (n_networks, 2)
        Each network's spread of the models' (column 0) and tasks' (column 1)
        mean training residuals beyond the noise: how far ``factors-only``
        lets known scores shift a new model's (task's) level.
"""


def _documented(cls):
    """Insert the shared Parameters and Attributes sections before the Examples."""
    head, examples = cls.__doc__.split("    Examples\n")
    cls.__doc__ = head.rstrip() + "\n" + _PARAMETERS + "\n    Examples\n" + examples
    return cls


@register("ncf")
@_documented
class NCF(NeuralPredictor):
    """Neural collaborative filtering (GMF + MLP) on model and task ID embeddings.

    The paper's NCF, trained with full-batch Adam and early stopping.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorecast.predictors import NCF
    >>> scores = pd.DataFrame({"A": [50.0, 70.0, 60.0], "B": [40.0, None, 45.0]},
    ...                       index=["m1", "m2", "m3"])
    >>> ncf = NCF(n_networks=2, max_epochs=50, random_state=0).fit(scores)
    >>> ncf.complete().shape
    (3, 2)
    """


@register("ncf-factors")
@_documented
class NCFFactors(NeuralPredictor):
    """NCF with model and task factor vectors added to the MLP branch's embeddings.

    The paper's factor-enhanced NCF: a new model known only by its factors is
    predicted from the mean ID embedding plus its factor vector.

    Examples
    --------
    >>> from scorecast import datasets
    >>> from scorecast.predictors import NCFFactors
    >>> model = NCFFactors(random_state=0).fit(datasets.load("cpp-llm"))  # doctest: +SKIP
    >>> model.predict_new_model(factors={"Parameter Size(M)": 7000,       # doctest: +SKIP
    ...                                  "family": "LLama"})
    """

    uses_factors = True


@register("factors-only")
@_documented
class FactorsOnly(NeuralPredictor):
    """The NCF network on factor vectors alone, without ID embeddings.

    The paper's "only factors": models (tasks) with the same factors get the
    same predictions.

    Examples
    --------
    >>> from scorecast import make_predictor, datasets
    >>> model = make_predictor("factors-only").fit(datasets.load("cpp-llm"))  # doctest: +SKIP
    >>> model.predict_new_task(factors={"ability": "programming"})  # doctest: +SKIP
    """

    uses_ids = False
    uses_factors = True
