"""The score table: scores of models on tasks, with optional model and task factors."""

import copy
import shlex
import warnings
from collections import Counter

import numpy as np
import pandas as pd

from .errors import ScorecastWarning, ScoreTableError, quote_names
from ._cells import is_missing
from .factors import type_factors, yes_no
from .readers import parse_score_frame, read_factor_csv, read_scores_csv

__all__ = ["ScoreMatrix"]

# Ranges tried, in order, for a task whose range is not declared: all its scores must fit.
_FRACTION, _PERCENT = (0.0, 1.0), (0.0, 100.0)
_INFERRED_RANGES = (_FRACTION, _PERCENT)
#: Task-factor columns read as each task's score range and direction, not as factors.
SCORE_METADATA = ("lower", "upper", "higher_is_better")
#: Scores beyond this magnitude are refused: no benchmark reports them, and their squares
#: (in spreads and standardisation) overflow to infinity.
SCORE_LIMIT = 1e12
# A task whose range would be inferred 0-1 or 0-100 but for at most this share of its scores
# (one at least, among 5 or more) has a typo, not an unbounded range: it is refused.
_TYPO_SHARE = 0.05
# On an unbounded task with 5 or more scores, a score more than this many robust spreads
# (1.4826 x the median absolute deviation) from the task's median is reported as implausible.
_OUTLIER_SPREADS = 20


class ScoreMatrix:
    """Scores of models (rows) on tasks (columns), NaN where a model was not evaluated.

    Parameters
    ----------
    scores : pandas.DataFrame
        Models as the index, tasks as the columns. Cells may be numbers, NaN,
        or text that is a number or one of the missing-value spellings
        (empty, ``-``, ``NA``, ``N/A``...).
    model_factors, task_factors : pandas.DataFrame, optional
        One row per model (task), indexed by name, one column per factor. Every
        name must be a model (task) of `scores`; models (tasks) without a row
        have missing factors. Numeric columns become numeric factors, yes/no
        columns boolean, ISO dates decimal years, everything else categorical.
        Task-factor columns named ``lower``, ``upper`` and ``higher_is_better``
        (any case) are not factors: they declare each task's score range (a
        task with one bound empty is unbounded on that side, with both empty
        its range is inferred) and direction (yes/no, empty for undeclared).
    factor_kinds : dict, optional
        Kinds to impose on some factor columns, overriding the inference:
        ``{"model": {"family": "categorical"}, "task": {...}}``, or simply
        ``{"Layers": "categorical"}`` for whichever factor table has that column.
    score_range : tuple or dict, optional
        ``(lower, upper)`` for every task, or ``{task: (lower, upper)}``, where
        the key ``None`` gives the range of the tasks not named. A range named
        for a task beats one in the task factors, which beats one for every
        task. Each undeclared range is inferred from the task's own scores:
        ``(0, 1)`` if they all lie in it, else ``(0, 100)`` if they all lie in
        it, else unbounded; a task with no score takes the range most scored
        tasks have. Scores outside a declared range are an error.
    lower_is_better : iterable of str, optional
        Tasks whose score is better when lower (error rates, perplexity...),
        in addition to those the task factors' ``higher_is_better`` marks
        ``no``; naming a task marked ``yes`` there is an error.
    on_empty : {"warn", "error", "keep"}, default="warn"
        What to do with models or tasks that have no score: drop them with a
        :class:`~scorecast.ScorecastWarning` that lists them, raise, or keep
        them (to be predicted from their factors alone).
    name : str, optional
        What to call the table in messages and summaries.

    Attributes
    ----------
    scores : pandas.DataFrame
        Float scores, index named ``model``, columns named ``task``.
    model_factors, task_factors : pandas.DataFrame
        Aligned with the models (tasks), possibly without columns.
    model_factor_kinds, task_factor_kinds : dict of str to str
        The kind of every factor column.
    task_info : pandas.DataFrame
        Per task: ``lower``, ``upper``, ``higher_is_better``, ``range_source``
        (``declared``, ``inferred`` or ``none``) and ``range_reason`` (why, in
        words: ``"declared"``, ``"all 12 scores in [0, 1]"``...).
    problems : list of str
        What was dropped, padded or is suspicious, for the summary.

    Examples
    --------
    >>> import pandas as pd
    >>> from scorecast import ScoreMatrix
    >>> frame = pd.DataFrame({"MMLU": [45.7, None], "GSM8K": [16.0, 45.8]},
    ...                      index=["LLaMA-2-7B", "Llama-3-8B"])
    >>> table = ScoreMatrix(frame, score_range=(0, 100))
    >>> table.shape, table.n_observed
    ((2, 2), 3)
    >>> table.to_long().iloc[0].tolist()
    ['LLaMA-2-7B', 'MMLU', 45.7]
    """

    def __init__(self, scores, *, model_factors=None, task_factors=None, factor_kinds=None,
                 score_range=None, lower_is_better=(), on_empty="warn", name=None,
                 problems=()):
        if on_empty not in ("warn", "error", "keep"):
            raise ValueError(f"on_empty must be 'warn', 'error' or 'keep', not {on_empty!r}")
        if not isinstance(scores, pd.DataFrame):
            raise TypeError(f"scores must be a pandas DataFrame, not {type(scores).__name__}")
        self.name = name or "the score table"
        self.problems = list(problems)
        scores = _clean_labels(scores, self.name)
        scores = parse_score_frame(scores, self.name)
        _check_magnitudes(scores, self.name)
        scores, dropped = self._drop_empty(scores, on_empty)
        scores.index.name, scores.columns.name = "model", "task"
        self.scores = scores
        task_factors, declared = _score_metadata(task_factors)
        self.task_info = self._task_info(score_range, lower_is_better, declared, dropped)
        self._check_ranges()
        model_kinds, task_kinds = _split_kinds(factor_kinds, model_factors, task_factors)
        self.model_factors, self.model_factor_kinds = self._align_factors(
            model_factors, "model", model_kinds, dropped)
        self.task_factors, self.task_factor_kinds = self._align_factors(
            task_factors, "task", task_kinds, dropped)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_csv(cls, path, *, layout="auto", transpose=False, model_factors=None,
                 task_factors=None, transpose_task_factors=False, **kwargs):
        """Read a score file and, optionally, factor files.

        Parameters
        ----------
        path : str or path-like
            Wide (first column the model names, header the task names) or long
            (columns ``model``, ``task``, ``score``) CSV; see
            :func:`scorecast.readers.read_scores_csv`.
        layout : {"auto", "wide", "long"}, default="auto"
        transpose : bool, default=False
            Read a wide file whose rows are tasks and whose columns are models.
        model_factors, task_factors : str or path-like, optional
            Factor files: first column the model (task) name, one column per factor.
        transpose_task_factors : bool, default=False
            The task-factor file has one row per factor and one column per task.
        **kwargs
            Passed to :class:`ScoreMatrix` (``score_range``, ``lower_is_better``,
            ``factor_kinds``, ``on_empty``, ``name``).

        Returns
        -------
        ScoreMatrix
        """
        scores, notes = read_scores_csv(path, layout=layout, transpose=transpose)
        if model_factors is not None:
            model_factors = read_factor_csv(model_factors, "model")
        if task_factors is not None:
            task_factors = read_factor_csv(task_factors, "task", transpose=transpose_task_factors)
        kwargs.setdefault("name", str(path))
        notes = [f"{path}: {note}" for note in notes]
        return cls(scores, model_factors=model_factors, task_factors=task_factors,
                   problems=notes, **kwargs)

    @classmethod
    def from_long(cls, frame, **kwargs):
        """Build a table from a long DataFrame with columns ``model``, ``task``, ``score``.

        Other columns are ignored. Each (model, task) pair may appear once.

        Parameters
        ----------
        frame : pandas.DataFrame
        **kwargs
            Passed to :class:`ScoreMatrix`.

        Returns
        -------
        ScoreMatrix
        """
        missing = [c for c in ("model", "task", "score") if c not in frame.columns]
        if missing:
            raise ScoreTableError(f"a long score table needs the columns {quote_names(missing)}")
        repeated = frame.duplicated(["model", "task"], keep=False)
        if repeated.any():
            pairs = frame.loc[repeated, ["model", "task"]].drop_duplicates()
            shown = [f"{m} on {t}" for m, t in pairs.itertuples(index=False)]
            raise ScoreTableError(f"a (model, task) pair appears more than once: "
                                  f"{quote_names(shown, limit=3)}")
        wide = frame.pivot(index="model", columns="task", values="score")
        wide = wide.reindex(index=pd.unique(frame["model"]), columns=pd.unique(frame["task"]))
        return cls(wide, **kwargs)

    def _drop_empty(self, scores, on_empty):
        observed = scores.notna().to_numpy()
        if not observed.any():
            shape = f"{scores.shape[0]} models x {scores.shape[1]} tasks"
            raise ScoreTableError(f"{self.name}: no score at all ({shape}, every cell missing)")
        empty_models = scores.index[~observed.any(axis=1)].tolist()
        empty_tasks = scores.columns[~observed.any(axis=0)].tolist()
        if not (empty_models or empty_tasks) or on_empty == "keep":
            return scores, set()
        parts = []
        if empty_models:
            parts.append(f"{len(empty_models)} model(s) with no score: {quote_names(empty_models)}")
        if empty_tasks:
            parts.append(f"{len(empty_tasks)} task(s) with no score: {quote_names(empty_tasks)}")
        message = f"{self.name}: " + "; ".join(parts)
        if on_empty == "error":
            raise ScoreTableError(message + "; remove them or give them scores")
        warnings.warn(message + " (dropped)", ScorecastWarning, stacklevel=3)
        self.problems.append(message + " (dropped)")
        kept = scores.loc[observed.any(axis=1), observed.any(axis=0)]
        return kept, set(empty_models) | set(empty_tasks)

    def _task_info(self, score_range, lower_is_better, declared, dropped):
        """Each task's range and direction: declared, else inferred from its own scores."""
        tasks = self.scores.columns
        everyone, named = _split_ranges(score_range)
        self._check_task_names(named, "a score range names", dropped)
        ranges = {}
        if everyone is not None:
            everyone = _parse_range(everyone)
            ranges = {t: (everyone, "declared") for t in tasks}
        ranges.update({t: (bounds, f"declared in {declared['source']}")
                       for t, bounds in declared["range"].items() if t in tasks})
        ranges.update({t: (_parse_range(bounds), "declared")
                       for t, bounds in named.items() if t in tasks})
        rows, unscored = {}, []
        for task in tasks:
            values = self.scores[task].dropna().to_numpy()
            if task in ranges:
                (low, high), reason = ranges[task]
                rows[task] = (low, high, "declared", reason)
            elif values.size:
                rows[task] = _inferred_range(values)
                if rows[task][2] == "none":
                    self._check_typo(task)
                    self._report_outliers(task)
            else:
                unscored.append(task)
        self.problems.extend(_scale_notes(rows))
        if unscored:
            rows.update(dict.fromkeys(unscored, _range_of_unscored(rows)))
        info = pd.DataFrame.from_dict(
            rows, orient="index", columns=["lower", "upper", "range_source", "range_reason"]
        ).loc[tasks]
        info.insert(2, "higher_is_better", self._directions(lower_is_better, declared, dropped))
        info.index.name = "task"
        return info

    def _check_typo(self, task):
        """Refuse the few scores that alone keep a task from a 0-1 or 0-100 range."""
        column = self.scores[task].dropna()
        for low, high in _INFERRED_RANGES:
            outside = column[(column < low) | (column > high)]
            if 0 < len(outside) <= _TYPO_SHARE * len(column) or (
                    len(outside) == 1 and len(column) >= 5):
                model, value = outside.index[0], outside.iloc[0]
                raise ScoreTableError(
                    f"{self.name}: score {value:g} for model {model!r} on task {task!r} lies "
                    f"outside {low:g}-{high:g}, where its other {len(column) - len(outside)} "
                    f"scores lie: fix the cell, or declare the task's range if such scores are "
                    f"possible (--score-range {shlex.quote(task + '=LOWER:UPPER')}, "
                    "-inf:inf for none)")

    def _report_outliers(self, task):
        """Report (and warn of) the scores of an unbounded task far from all its others."""
        column = self.scores[task].dropna()
        if len(column) < 5:
            return
        median = column.median()
        spread = 1.4826 * (column - median).abs().median()
        if spread <= 0:
            return  # most scores equal: no spread to judge by
        far = column[(column - median).abs() > _OUTLIER_SPREADS * spread]
        for model, value in far.items():
            message = (f"{self.name}: score {value:g} for model {model!r} on task {task!r} is "
                       f"{abs(value - median) / spread:.0f} spreads from the task's median "
                       f"{median:g}; check the cell (kept)")
            warnings.warn(message, ScorecastWarning, stacklevel=4)
            self.problems.append(message)

    def _directions(self, lower_is_better, declared, dropped):
        tasks = self.scores.columns
        worse = [t for t in (lower_is_better or ()) if t not in dropped]
        self._check_task_names(worse, "lower_is_better names", ())
        higher = pd.Series(True, index=tasks)
        for task, (flag, text) in declared["higher"].items():
            if task in tasks:
                higher[task] = flag
                if flag and task in worse:
                    raise ScoreTableError(
                        f"{declared['source']}: task {task!r} has higher_is_better {text!r}, "
                        "but it is also given as lower-is-better")
        higher[worse] = False
        return higher.to_numpy()

    def _check_task_names(self, names, what, dropped):
        unknown = [t for t in names if t not in self.scores.columns and t not in dropped]
        if unknown:
            raise ScoreTableError(f"{self.name}: {what} unknown tasks: {quote_names(unknown)}"
                                  f"{_close_matches(unknown, self.scores.columns)}")

    def _check_ranges(self):
        values = self.scores.to_numpy()
        low = self.task_info["lower"].to_numpy()
        high = self.task_info["upper"].to_numpy()
        with np.errstate(invalid="ignore"):
            outside = (values < low) | (values > high)
        if outside.any():
            i, j = np.argwhere(outside)[0]
            more = f" ({outside.sum() - 1} more scores are outside their range)" \
                if outside.sum() > 1 else ""
            raise ScoreTableError(
                f"{self.name}: score {values[i, j]:g} for model {self.scores.index[i]!r} on "
                f"task {self.scores.columns[j]!r} is outside the declared range "
                f"{low[j]:g} to {high[j]:g}{more}"
            )

    def _align_factors(self, frame, what, kinds, dropped):
        names = self.scores.index if what == "model" else self.scores.columns
        if frame is None:
            return pd.DataFrame(index=names), {}
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{what}_factors must be a pandas DataFrame")
        source = frame.attrs.get("source", f"{what} factors")
        frame = _clean_labels(frame, source, rows=what, columns="factor")
        unknown = [n for n in frame.index if n not in names and n not in dropped]
        if unknown:
            hints = _close_matches(unknown, names)
            raise ScoreTableError(
                f"{source}: {len(unknown)} {what} name(s) not in the scores: "
                f"{quote_names(unknown)}{hints}"
            )
        typed, found, notes = type_factors(frame.loc[frame.index.isin(names)], kinds, what, source)
        self.problems.extend(notes)
        typed = typed.reindex(names)
        typed.index.name = what
        uncovered = [n for n in names if n not in frame.index]
        if uncovered:
            self.problems.append(
                f"{len(uncovered)} {what}(s) have no row in the {what}-factor table: "
                f"{quote_names(uncovered)}"
            )
        return typed, found

    # ------------------------------------------------------------------ views
    @property
    def models(self):
        """pandas.Index: the model names, in table order."""
        return self.scores.index

    @property
    def tasks(self):
        """pandas.Index: the task names, in table order."""
        return self.scores.columns

    @property
    def shape(self):
        """(n_models, n_tasks)."""
        return self.scores.shape

    @property
    def observed(self):
        """numpy.ndarray of bool: True where a score is present."""
        return self.scores.notna().to_numpy()

    @property
    def n_observed(self):
        """int: number of observed scores."""
        return int(self.observed.sum())

    @property
    def density(self):
        """float: share of cells that are observed."""
        return self.n_observed / max(1, self.scores.size)

    def to_wide(self):
        """Return the scores as a models x tasks DataFrame (a copy)."""
        return self.scores.copy()

    def to_long(self):
        """Return the observed scores as a DataFrame with columns model, task, score.

        Rows follow the table order: model by model, task by task.
        """
        long = self.scores.stack(future_stack=True).dropna().reset_index()
        long.columns = ["model", "task", "score"]
        return long

    def with_scores(self, scores):
        """Return a copy with other scores for the same models and tasks.

        Factors, task metadata and problems are kept; the scores are not
        validated again (this is how held-out cells are hidden).

        Parameters
        ----------
        scores : array-like of shape (n_models, n_tasks)
            NaN where a score is to be missing.

        Returns
        -------
        ScoreMatrix
        """
        values = np.asarray(scores, dtype=float)
        if values.shape != self.shape:
            raise ValueError(f"scores of shape {values.shape} for a table of shape {self.shape}")
        table = copy.copy(self)
        table.scores = pd.DataFrame(values, index=self.models, columns=self.tasks)
        table.problems = list(self.problems)
        return table

    def subset(self, models=None, tasks=None):
        """Return the table restricted to some models and tasks (in the order given).

        Parameters
        ----------
        models, tasks : sequence of str, optional
            Default: all of them.

        Returns
        -------
        ScoreMatrix
        """
        models = self.models if models is None else pd.Index(models)
        tasks = self.tasks if tasks is None else pd.Index(tasks)
        for names, known, what in ((models, self.models, "model"), (tasks, self.tasks, "task")):
            unknown = names[~names.isin(known)].tolist()
            if unknown:
                raise ScoreTableError(f"unknown {what}(s): {quote_names(unknown)}")
        table = copy.copy(self)
        table.scores = self.scores.loc[models, tasks]
        table.model_factors = self.model_factors.loc[models]
        table.task_factors = self.task_factors.loc[tasks]
        table.task_info = self.task_info.loc[tasks]
        table.problems = list(self.problems)
        return table

    def __repr__(self):
        return (f"ScoreMatrix({self.name!r}: {self.shape[0]} models x {self.shape[1]} tasks, "
                f"{self.n_observed} observed)")


def _check_magnitudes(scores, source):
    """Refuse scores beyond :data:`SCORE_LIMIT` in magnitude, naming the cell."""
    values = scores.to_numpy()
    with np.errstate(invalid="ignore"):
        huge = np.abs(values) > SCORE_LIMIT
    if huge.any():
        i, j = np.argwhere(huge)[0]
        raise ScoreTableError(
            f"{source}: score {values[i, j]:g} for model {scores.index[i]!r} on task "
            f"{scores.columns[j]!r} is implausibly large (beyond {SCORE_LIMIT:g} in magnitude); "
            "fix the cell")


def _clean_labels(frame, source, rows="model", columns="task"):
    """Strip labels, turn them into text, and refuse empty or duplicate names."""
    frame = frame.copy()
    frame.index = pd.Index([str(n).strip() for n in frame.index])
    frame.columns = pd.Index([str(n).strip() for n in frame.columns])
    for axis, kind in ((frame.index, rows), (frame.columns, columns)):
        if (axis == "").any():
            raise ScoreTableError(f"{source}: a {kind} with an empty name")
        repeated = axis[axis.duplicated()].unique().tolist()
        if repeated:
            raise ScoreTableError(f"{source}: duplicate {kind} names: {quote_names(repeated)}")
    return frame


def _split_kinds(kinds, model_factors, task_factors):
    """Split factor-kind overrides into those for model factors and those for task factors."""
    kinds = dict(kinds or {})
    if set(kinds) <= {"model", "task"} and all(isinstance(v, dict) for v in kinds.values()):
        return kinds.get("model", {}), kinds.get("task", {})
    columns = {
        what: [str(c).strip() for c in frame.columns] if frame is not None else []
        for what, frame in (("model", model_factors), ("task", task_factors))
    }
    unknown = [n for n in kinds if n not in columns["model"] and n not in columns["task"]]
    if unknown:
        raise ScoreTableError(f"no model or task factor named {quote_names(unknown)}")
    return ({n: k for n, k in kinds.items() if n in columns["model"]},
            {n: k for n, k in kinds.items() if n in columns["task"]})


def _close_matches(unknown, names):
    import difflib

    hints = []
    lowered = {str(n).lower(): n for n in names}
    for name in unknown[:3]:
        match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
        if match:
            hints.append(f"{name!r} -> {lowered[match[0]]!r}?")
    return f" (close: {', '.join(hints)})" if hints else ""


def _parse_range(bounds):
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ScoreTableError(f"a score range is two numbers (lower, upper), not {bounds!r}") \
            from None
    if not low < high:
        raise ScoreTableError(f"score range {low:g} to {high:g}: lower must be below upper")
    return low, high


def _split_ranges(score_range):
    """The range for every task (or None) and the ranges named per task."""
    if isinstance(score_range, dict):
        named = {k: v for k, v in score_range.items() if k is not None}
        return score_range.get(None), named
    return score_range, {}


def _inferred_range(values):
    """``(lower, upper, source, reason)`` of a task from its observed scores (at least one)."""
    n = values.size
    low, high = values.min(), values.max()
    for lower, upper in _INFERRED_RANGES:
        if lower <= low and high <= upper:
            scores = f"all {n} scores" if n > 1 else "its one score"
            return (lower, upper, "inferred", f"{scores} in [{lower:g}, {upper:g}]")
    if low < 0 and high > 100:
        outside = f"scores from {low:.4g} to {high:.4g}"
    elif high > 100:
        outside = f"scores up to {high:.4g}"
    else:
        outside = f"scores down to {low:.4g}"
    return (-np.inf, np.inf, "none", f"{outside} (outside 0-100)")


def _range_of_unscored(rows):
    """The row of a task with no score: the range most of the scored tasks `rows` have."""
    common = Counter((row[0], row[1]) for row in rows.values())
    if not common:
        return (-np.inf, np.inf, "none", "no score")
    (low, high), count = common.most_common(1)[0]
    total = len(rows)
    if np.isfinite(low) and np.isfinite(high):
        return (low, high, "inferred", f"no score; the range of {count} of {total} scored tasks")
    return (low, high, "none", f"no score; {count} of {total} scored tasks are unbounded")


def _scale_notes(rows):
    """Tasks inferred as fractions among mostly percent tasks, or the reverse."""
    bounded = [(row[0], row[1]) for row in rows.values()
               if np.isfinite(row[0]) and np.isfinite(row[1])]
    notes = []
    for odd, usual, noun, usual_text in ((_FRACTION, _PERCENT, "fraction", "0-100"),
                                         (_PERCENT, _FRACTION, "percent", "0-1")):
        n_usual = bounded.count(usual)
        if n_usual <= len(bounded) / 2:
            continue
        flagged = [t for t, row in rows.items()
                   if row[2] == "inferred" and (row[0], row[1]) == odd]
        range_text = f"{odd[0]:g}-{odd[1]:g}"
        if len(flagged) == 1:
            notes.append(
                f"task {flagged[0]!r} looks like a {noun} ({range_text}) while {n_usual} of "
                f"{len(bounded)} tasks are {usual_text}; declare --score-range "
                f"{shlex.quote(flagged[0] + '=0:100')} if it is a percent")
        elif flagged:
            notes.append(
                f"{len(flagged)} tasks look like {noun}s ({range_text}) while {n_usual} of "
                f"{len(bounded)} tasks are {usual_text}: {quote_names(flagged)}; declare "
                "--score-range TASK=0:100 for each that is a percent")
    return notes


def _score_metadata(frame):
    """Split the score-range and direction columns off a task-factor table.

    Returns the factor table without them, and ``{"source": name for messages,
    "range": {task: (lower, upper)}, "higher": {task: (flag, text)}}``.
    """
    declared = {"source": "task factors", "range": {}, "higher": {}}
    if not isinstance(frame, pd.DataFrame):
        return frame, declared
    source = frame.attrs.get("source", "task factors")
    declared["source"] = source
    frame = _clean_labels(frame, source, rows="task", columns="factor")
    columns = [c for c in frame.columns if c.lower() in SCORE_METADATA]
    if not columns:
        return frame, declared
    if len({c.lower() for c in columns}) < len(columns):
        raise ScoreTableError(f"{source}: more than one column for the same score metadata: "
                              f"{quote_names(columns)}")
    for task, row in frame[columns].rename(columns=str.lower).iterrows():
        low, high = (_bound(row.get(side), side, source, task) for side in ("lower", "upper"))
        if not (np.isnan(low) and np.isnan(high)):
            low, high = (-np.inf if np.isnan(low) else low), (np.inf if np.isnan(high) else high)
            if not low < high:
                raise ScoreTableError(f"{source}: task {task!r}: lower {low:g} is not below "
                                      f"upper {high:g}")
            declared["range"][task] = (low, high)
        text = row.get("higher_is_better")
        if not is_missing(text):
            flag = yes_no(text)
            if flag is None:
                raise ScoreTableError(f"{source}: task {task!r}: higher_is_better "
                                      f"{str(text).strip()!r} is not yes or no")
            declared["higher"][task] = (flag, str(text).strip())
    return frame.drop(columns=columns), declared


def _bound(text, side, source, task):
    """One declared bound of a task: a number (possibly infinite), NaN when not given."""
    if is_missing(text):
        return np.nan
    try:
        value = float(str(text).strip())
    except ValueError:
        value = np.nan
    if np.isnan(value):
        raise ScoreTableError(f"{source}: task {task!r}: {side} {str(text).strip()!r} is not "
                              "a number")
    return value
