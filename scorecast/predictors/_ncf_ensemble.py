"""Training the networks of a neural predictor together, as one batched ensemble.

A predictor's ``n_networks`` networks are small (a few thousand weights) and see
a few hundred cells: trained one by one, each Adam step is a few dozen tiny
tensor operations and the time goes to Python and dispatch, not arithmetic.
Here every parameter of :class:`~scorecast.predictors.neural.NCFNetwork` gets a
leading "network" axis and one step trains them all (batched matrix products);
each network's loss is the mean over its own cells, so their gradients, and Adam's
elementwise updates, are exactly those of separate training.

Early stopping and the refit run in the same pass: network k is trained twice
from the same initial weights, once on its training cells (its validation loss
picks the best epoch) and once on every cell; the copy on every cell is kept as
it was at network k's best epoch, which is what refitting for that many epochs
gives, without a second pass.

Randomness comes from generators seeded per network (initial weights) and per
ensemble (dropout), never from torch's global state: fits in parallel threads
give the same networks as fits one after the other.
"""

import math

import numpy as np

__all__ = ["train_ensemble"]


def _uniform(torch, generator, shape, fan_in):
    """torch.nn.Linear's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    bound = 1 / math.sqrt(fan_in) if fan_in else 0.0
    return (torch.rand(shape, generator=generator) * 2 - 1) * bound


def _initial(torch, config, seed):
    """One network's initial parameters, named and shaped as in its state dict."""
    generator = torch.Generator().manual_seed(int(seed))
    dim, params = config["embedding_dim"], {}
    for side, n in (("models", config["n_models"]), ("tasks", config["n_tasks"])):
        if config["use_ids"]:
            for branch in (0, 1):
                params[f"{side}.ids.{branch}.weight"] = \
                    torch.randn(n, dim, generator=generator) * 0.1
        if not config["use_factors"]:
            continue
        n_numeric = config[f"{side[:-1]}_numeric"]
        if n_numeric:
            params[f"{side}.numeric.weight"] = _uniform(torch, generator, (dim, n_numeric),
                                                        n_numeric)
            params[f"{side}.numeric.bias"] = _uniform(torch, generator, (dim,), n_numeric)
        for k, cardinality in enumerate(config[f"{side[:-1]}_cardinalities"]):
            weight = torch.randn(cardinality, dim, generator=generator) * 0.1
            weight[0] = 0.0             # code 0 (missing or unseen) adds nothing
            params[f"{side}.categorical.{k}.weight"] = weight
    width = 2 * dim
    for layer, size in enumerate(config["hidden"]):
        params[f"mlp.{3 * layer}.weight"] = _uniform(torch, generator, (size, width), width)
        params[f"mlp.{3 * layer}.bias"] = _uniform(torch, generator, (size,), width)
        width = size
    params["output.weight"] = _uniform(torch, generator, (1, dim + width), dim + width)
    params["output.bias"] = _uniform(torch, generator, (1,), dim + width)
    return params


def _linear(torch, x, weight, bias):
    """x (networks, rows, in) through each network's layer: (networks, rows, out)."""
    return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))


class _Forward:
    """The batched network: predictions of every network for the same cells."""

    def __init__(self, torch, config, inputs, rows, cols, dropout, generator):
        self.torch, self.config = torch, config
        self.inputs = inputs            # model numeric, model codes, task numeric, task codes
        self.rows, self.cols = rows, cols
        self.dropout, self.generator = dropout, generator
        # Which codes are present: code 0 (missing or unseen) must not move its embedding.
        self.present = [(codes != 0).to(torch.float32).T.unsqueeze(-1) for codes in
                        (inputs[1], inputs[3])]

    def _side(self, params, side, numeric, codes, present):
        torch, n_networks = self.torch, next(iter(params.values())).shape[0]
        factor = None
        if self.config["use_factors"]:
            factor = 0.0
            if f"{side}.numeric.weight" in params:
                factor = torch.matmul(numeric, params[f"{side}.numeric.weight"].transpose(1, 2)) \
                    + params[f"{side}.numeric.bias"].unsqueeze(1)
            for k in range(codes.shape[1]):
                table = params[f"{side}.categorical.{k}.weight"]
                factor = factor + torch.index_select(table, 1, codes[:, k]) * present[k]
            if not torch.is_tensor(factor):
                factor = torch.zeros(n_networks, len(codes), self.config["embedding_dim"])
        if not self.config["use_ids"]:
            return factor, factor
        gmf, mlp = params[f"{side}.ids.0.weight"], params[f"{side}.ids.1.weight"]
        return gmf, (mlp if factor is None else mlp + factor)

    def _cells(self, vectors, index):
        # index_select, not vectors[:, index]: on CPU ten times faster, and its gradient too.
        return self.torch.index_select(vectors, 1, index)

    def _dropout(self, hidden):
        """Inverted dropout, each unit kept when a random byte is at least 256 p.

        Random bytes come four to a 32-bit draw: the uniform floats of
        ``torch.rand`` cost more than the rest of a training step. The rate is
        thereby rounded to a multiple of 1/256 (0.2 becomes 0.199).
        """
        torch = self.torch
        words = (hidden.numel() + 3) // 4
        draws = torch.randint(-2 ** 31, 2 ** 31 - 1, (words,), generator=self.generator,
                              dtype=torch.int32).view(torch.uint8)[:hidden.numel()]
        threshold = round(256 * self.dropout)
        dropped = (draws < threshold).view(hidden.shape)
        return hidden.masked_fill(dropped, 0.0) * (1 / (1 - threshold / 256))

    def __call__(self, params, training):
        torch = self.torch
        model_gmf, model_mlp = self._side(params, "models", self.inputs[0], self.inputs[1],
                                          self.present[0])
        task_gmf, task_mlp = self._side(params, "tasks", self.inputs[2], self.inputs[3],
                                        self.present[1])
        # The first layer is linear: apply it to each model and task once, then gather
        # (a hundred rows instead of one per cell).
        weight, bias = params["mlp.0.weight"], params["mlp.0.bias"]
        dim = model_mlp.shape[-1]
        hidden = (self._cells(torch.matmul(model_mlp, weight[:, :, :dim].transpose(1, 2)),
                              self.rows)
                  + self._cells(torch.matmul(task_mlp, weight[:, :, dim:].transpose(1, 2)),
                                self.cols)
                  + bias.unsqueeze(1))
        for layer in range(len(self.config["hidden"])):
            if layer:
                hidden = _linear(torch, hidden, params[f"mlp.{3 * layer}.weight"],
                                 params[f"mlp.{3 * layer}.bias"])
            hidden = torch.relu(hidden)
            if training and self.dropout > 0:
                hidden = self._dropout(hidden)
        joined = torch.cat([self._cells(model_gmf, self.rows) * self._cells(task_gmf, self.cols),
                            hidden], dim=2)
        return _linear(torch, joined, params["output.weight"], params["output.bias"])[..., 0]


def train_ensemble(torch, config, inputs, cells, values, validation, seeds, dropout_seed,
                   lr, weight_decay, max_epochs, patience, refit):
    """Train len(seeds) networks at once; return their state dicts and stopping statistics.

    Parameters
    ----------
    torch : module
    config : dict
        The networks' configuration (as ``NCFNetwork(**config)``).
    inputs : list of 4 tensors
        Encoded factors: model numeric, model codes, task numeric, task codes.
    cells : ndarray of int of shape (n_cells, 2)
    values : ndarray of shape (n_cells,)
        Target-space values of the cells.
    validation : list of ndarray of int, or None
        Each network's validation cells (indices into `cells`); None trains every
        network on every cell for `max_epochs`.
    seeds : list of int
        Each network's seed of its initial weights.
    dropout_seed : int
    lr, weight_decay, max_epochs, patience, refit
        As the predictor's parameters.

    Returns
    -------
    states : list of dict
        Each network's state dict.
    stats : list of tuple
        Each network's (best epoch, last epoch run, best validation loss or NaN).
    """
    n = len(seeds)
    initial = [_initial(torch, config, seed) for seed in seeds]
    rows, cols = (torch.from_numpy(np.ascontiguousarray(cells[:, k])) for k in range(2))
    target = torch.from_numpy(values.astype(np.float32))
    weights = np.ones((n, len(cells)), np.float32)
    if validation is not None:
        held_out = np.zeros((n, len(cells)), np.float32)
        for k, val in enumerate(validation):
            held_out[k, val] = 1.0
        # Copies 0..n-1 learn on their training cells; with refit, copies n..2n-1 start
        # from the same weights and learn on every cell.
        weights = np.vstack([1.0 - held_out] + ([weights] if refit else []))
        initial = initial + initial if refit else initial
        held_out = torch.from_numpy(held_out / held_out.sum(axis=1, keepdims=True))
    weights = torch.from_numpy(weights / weights.sum(axis=1, keepdims=True))
    params = {name: torch.stack([p[name] for p in initial]).requires_grad_(True)
              for name in initial[0]}
    forward = _Forward(torch, config, inputs, rows, cols, config["dropout"],
                       torch.Generator().manual_seed(int(dropout_seed)))
    optimizer = _adamw(torch, params.values(), lr=lr, weight_decay=weight_decay)
    copies = 2 if validation is not None and refit else 1
    kept = n if copies == 2 else 0          # the first row of the kept copies
    best_state = {name: p.detach()[kept:kept + n].clone() for name, p in params.items()}
    best = np.full(n, np.inf)
    best_epoch = np.full(n, 0 if validation is not None else max_epochs)
    stopped = np.full(n, max_epochs)
    alive = np.arange(n)                    # the networks still in the batch, in its order
    for epoch in range(1, max_epochs + 1):
        optimizer.zero_grad(set_to_none=True)
        loss = torch.sum((forward(params, training=True) - target) ** 2 * weights)
        loss.backward()
        optimizer.step()
        if validation is None:
            continue
        m = len(alive)
        with torch.no_grad():
            learners = {name: p[:m] for name, p in params.items()}
            losses = torch.sum((forward(learners, training=False) - target) ** 2 * held_out,
                               dim=1).numpy()
            improved = losses < best[alive]
            if improved.any():
                best[alive[improved]], best_epoch[alive[improved]] = losses[improved], epoch
                rows = torch.from_numpy(np.flatnonzero(improved))
                targets = torch.from_numpy(alive[improved])
                start = kept and m
                for name, p in params.items():
                    best_state[name][targets] = p[start:start + m][rows]
        done = epoch - best_epoch[alive] >= patience
        if done.any():
            stopped[alive[done]] = epoch
            if done.all():
                break
            # A network past its patience is finished: drop both its copies from the batch.
            keep = np.tile(~done, copies)
            params, optimizer = _subset(torch, params, optimizer, keep, lr, weight_decay)
            weights = _rows(weights, keep)
            held_out = _rows(held_out, ~done)
            alive = alive[~done]
    if validation is not None:
        stopped[alive] = np.minimum(stopped[alive], epoch)
        final = best_state
    else:
        final = {name: p.detach() for name, p in params.items()}
    states = [{name: p[k].clone() for name, p in final.items()} for k in range(n)]
    losses = best if validation is not None else np.full(n, np.nan)
    return states, [(int(b), int(s), float(v)) for b, s, v in zip(best_epoch, stopped, losses)]


def _rows(tensor, keep):
    return tensor[np.flatnonzero(keep).tolist()]


def _subset(torch, params, optimizer, keep, lr, weight_decay):
    """The rows `keep` (bool, over networks) of the batched parameters, with their Adam state."""
    index = torch.from_numpy(np.flatnonzero(keep))
    smaller = {name: p.detach()[index].clone().requires_grad_(True)
               for name, p in params.items()}
    new = _adamw(torch, smaller.values(), lr=lr, weight_decay=weight_decay)
    for old_p, new_p in zip(params.values(), smaller.values()):
        state = optimizer.state.get(old_p)
        if state:
            new.state[new_p] = {key: value if key == "step" else value[index].clone()
                                for key, value in state.items()}
    return smaller, new


def _adamw(torch, params, **options):
    """AdamW with the fused CPU kernel where this torch has one (a step is 4 times faster)."""
    params = list(params)
    try:
        return torch.optim.AdamW(params, fused=True, **options)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.AdamW(params, **options)
