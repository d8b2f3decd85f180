"""Reading the files evaluation tools write into a :class:`~scorecast.ScoreMatrix`.

One reader per format, each returning a table with factors:

- :func:`read_lm_eval`: lm-evaluation-harness results (0.3 and 0.4+) and Open LLM
  Leaderboard v1 results files;
- :func:`read_open_llm_leaderboard`: the leaderboard's exported tables (v2 contents,
  v1 snapshots);
- :func:`read_helm`: HELM leaderboard tables and run directories;
- :func:`read_opencompass`: OpenCompass summary CSVs.

Every reader takes several files or folders and merges them into one table; a model
and task given twice with different scores is resolved by one rule (the most recent
file wins) and reported. Every value read but left out is counted: the table's
``problems`` list says what and why, and :func:`import_with_report` returns the counts.
See docs/importers.md.
"""

from ..errors import ScoreTableError
from ._merge import ImportReport, build_table
from .helm import collect_helm, read_helm
from .lm_eval import DEFAULT_METRICS, collect_lm_eval, read_lm_eval
from .open_llm_leaderboard import collect_open_llm_leaderboard, read_open_llm_leaderboard
from .opencompass import collect_opencompass, read_opencompass

__all__ = [
    "FORMATS",
    "DEFAULT_METRICS",
    "ImportReport",
    "import_scores",
    "import_with_report",
    "read_helm",
    "read_lm_eval",
    "read_open_llm_leaderboard",
    "read_opencompass",
]

# Format name (as on the command line) -> its reader.
FORMATS = {
    "lm-eval": read_lm_eval,
    "open-llm-leaderboard": read_open_llm_leaderboard,
    "helm": read_helm,
    "opencompass": read_opencompass,
}

_COLLECTORS = {
    "lm-eval": collect_lm_eval,
    "open-llm-leaderboard": collect_open_llm_leaderboard,
    "helm": collect_helm,
    "opencompass": collect_opencompass,
}


def import_scores(format, paths, **options):
    """Read files of one format into a score table.

    Parameters
    ----------
    format : str
        One of :data:`FORMATS`: ``"lm-eval"``, ``"open-llm-leaderboard"``, ``"helm"``,
        ``"opencompass"``.
    paths : str, path-like or list of them
        Files and folders (searched recursively).
    **options
        The format's reader options, e.g. ``metrics=``, ``keep_groups=`` for lm-eval.

    Returns
    -------
    ScoreMatrix

    Examples
    --------
    >>> from scorecast.importers import import_scores
    >>> table = import_scores("opencompass", "outputs/default/")    # doctest: +SKIP
    """
    return import_with_report(format, paths, **options)[0]


def import_with_report(format, paths, *, name=None, **options):
    """Like :func:`import_scores`, and also say what was read and left out.

    Returns
    -------
    table : ScoreMatrix
    report : ImportReport
        Files read, values skipped by reason, conflicts and other notes;
        ``report.summary(table)`` is one line for people.
    """
    if format not in _COLLECTORS:
        raise ScoreTableError(f"unknown import format {format!r}; use one of "
                              f"{', '.join(FORMATS)}")
    return build_table(_COLLECTORS[format](paths, **options), name)
