"""Factor tables as model inputs: numeric design matrices and categorical codes."""

import difflib
import warnings

import numpy as np
import pandas as pd

from ..errors import ScorecastWarning, ScoreTableError, quote_names
from ..factors import type_factors
from ..persistence import persistable


@persistable
class FactorEncoder:
    """Encode a factor table for learning.

    Numeric factors are log-transformed when they are never negative (sizes,
    counts and budgets span orders of magnitude), then standardised; a missing
    value becomes 0 (the mean) with an indicator column, for factors that have
    missing values in the fitted table. Boolean and date factors are
    standardised without the log. Categorical factors become integer codes,
    0 standing for missing or unseen.

    Attributes
    ----------
    kinds_ : dict of str to str
    numeric_ : list of str
    categorical_ : list of str
    levels_ : list of list of str
    """

    def fit(self, frame, kinds):
        self.kinds_ = dict(kinds)
        self.numeric_ = [c for c in frame.columns if kinds[c] != "categorical"]
        self.categorical_ = [c for c in frame.columns if kinds[c] == "categorical"]
        values = frame[self.numeric_].to_numpy(dtype=float) if self.numeric_ else \
            np.empty((len(frame), 0))
        self.log_ = np.array([kinds[c] == "numeric" and np.nanmin(values[:, i]) >= 0
                              for i, c in enumerate(self.numeric_)], dtype=bool)
        values = self._log(values)
        self.mean_ = np.nanmean(values, axis=0) if values.size else np.zeros(0)
        std = np.nanstd(values, axis=0) if values.size else np.zeros(0)
        self.std_ = np.where(std > 1e-12, std, 1.0)
        self.indicator_ = np.isnan(values).any(axis=0) if values.size else np.zeros(0, bool)
        self.levels_ = [sorted(frame[c].dropna().astype(str).unique().tolist())
                        for c in self.categorical_]
        return self

    def _log(self, values):
        out = values.copy()
        out[:, self.log_] = np.log1p(out[:, self.log_])
        return out

    @property
    def n_numeric(self):
        """Width of the numeric design (factors plus missing indicators)."""
        return len(self.numeric_) + int(self.indicator_.sum())

    @property
    def cardinalities(self):
        """Number of codes of each categorical factor, counting the 0 code."""
        return [len(levels) + 1 for levels in self.levels_]

    def transform(self, frame):
        """Encode a factor table with the fitted columns.

        Returns
        -------
        numeric : ndarray of shape (n, n_numeric)
        codes : ndarray of int of shape (n, n_categorical)
        """
        n = len(frame)
        values = frame.reindex(columns=self.numeric_).to_numpy(dtype=float) if self.numeric_ \
            else np.empty((n, 0))
        z = (self._log(values) - self.mean_) / self.std_
        missing = np.isnan(z)
        numeric = np.hstack([np.where(missing, 0.0, z), missing[:, self.indicator_]])
        codes = np.zeros((n, len(self.categorical_)), dtype=np.int64)
        for k, (name, levels) in enumerate(zip(self.categorical_, self.levels_)):
            lookup = {level: i + 1 for i, level in enumerate(levels)}
            column = frame[name] if name in frame.columns else pd.Series([None] * n)
            codes[:, k] = [lookup.get(str(v), 0) if pd.notna(v) else 0 for v in column]
        return numeric, codes

    def one_hot(self, codes):
        """Indicator columns for the categorical codes (code 0 gets none)."""
        blocks = [np.eye(card)[codes[:, k]][:, 1:] for k, card in enumerate(self.cardinalities)]
        return np.hstack(blocks) if blocks else np.empty((len(codes), 0))

    def design(self, frame):
        """Numeric design plus one-hot categorical columns: the input of linear models."""
        numeric, codes = self.transform(frame)
        return np.hstack([numeric, self.one_hot(codes)])

    def frame_from_values(self, values, what="model"):
        """A one-row factor table from ``{factor: value}`` given by a user.

        Values are parsed with the fitted kinds (text such as ``"8000"`` or
        ``"yes"`` is accepted); unknown factor names are an error.
        """
        values = dict(values or {})
        unknown = [k for k in values if k not in self.kinds_]
        if unknown:
            known = quote_names(list(self.kinds_), limit=20) or "none"
            raise ScoreTableError(f"unknown {what} factor {quote_names(unknown)}; the {what} "
                                  f"factors are {known}")
        frame = pd.DataFrame({k: [v] for k, v in values.items()}, dtype=object)
        typed, _, _ = type_factors(frame, {k: self.kinds_[k] for k in values}, what,
                                   f"the new {what}'s factors")
        for name, levels in zip(self.categorical_, self.levels_):
            value = typed[name].iloc[0] if name in typed.columns else None
            if value is not None and pd.notna(value) and str(value) not in levels:
                close = difflib.get_close_matches(str(value), levels, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                warnings.warn(f"{what} factor {name!r}: {value!r} is not a level of the fitted "
                              f"table{hint}; it is treated as unknown", ScorecastWarning,
                              stacklevel=3)
        return typed.reindex(columns=list(self.kinds_))
