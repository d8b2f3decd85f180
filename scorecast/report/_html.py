"""The report as one HTML file: styles, script, data and figures inline, so that it opens
without a server or a network connection."""

import html
import json
from importlib.resources import files

import numpy as np

__all__ = ["render"]

_ASSETS = files(__package__)


def _e(text):
    return html.escape(str(text))


def _num(value, digits=None):
    """A number as text: as many digits as its size needs."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    if digits is not None:
        return f"{value:.{digits}f}"
    size = abs(value)
    return f"{value:.1f}" if size >= 100 else f"{value:.2f}" if size >= 1 else f"{value:.3f}"


def _td(value, text=None, css="n", extra=""):
    """A numeric cell that sorts by its value."""
    shown = _num(value) if text is None else text
    return f'<td class="{css}{extra}" data-v="{value:.6g}">{shown}</td>'


def _table(table_id, headings, rows, numeric=()):
    head = "".join(f'<th{" class=n" if i in numeric else ""}>{_e(h)}</th>'
                   for i, h in enumerate(headings))
    return (f'<table class="sortable" id="{table_id}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _filter(table_id, what):
    return (f'<input type="search" data-filter="{table_id}" placeholder="filter {what}..." '
            f'aria-label="filter {what}">')


def _share_bar(share):
    return f"<span class=bar style=width:{round(60 * share)}px></span>{100 * share:.0f}%"


def _leaderboard(report):
    board = report["leaderboard"]
    rows = []
    for row in board.itertuples(index=False):
        share = row.observed_share
        rows.append(
            f"<tr>{_td(row.rank, str(row.rank))}<td>{_e(row.model)}</td>{_td(row.summary)}"
            f'{_td(row.upper - row.lower, f"{_num(row.lower)} to {_num(row.upper)}")}'
            f'{_td(share, _share_bar(share))}'
            f'{_td(row.observed, f"{row.observed} of {row.tasks}")}</tr>')
    level = report["level"]
    return (f"<p class=note>Models ranked by the {_e(report['summary_description'])} over "
            f"{_e(report['tasks_description'])}, observed scores where known and predicted "
            f"ones elsewhere. The interval averages the {level}% intervals of the model's "
            "cells, as if their errors moved together: it is on the wide side. Click a "
            "heading to sort.</p>" + _filter("leaderboard", "models")
            + '<div class="scroll">'
            + _table("leaderboard", ["rank", "model", "summary", f"{level}% interval",
                                     "observed share", "observed tasks"], rows,
                     numeric={0, 2, 3, 4, 5})
            + "</div>")


def _check(report):
    check = report["check"]
    methods = check["methods"]
    overall = check["overall"]
    best = min(overall, key=overall.get)
    facts = "".join(f'<div class="fact">{_e(m)}<b>{_num(overall[m])}</b>mean absolute error'
                    "</div>" for m in methods)
    coverage = check["coverage"]
    text = [
        f"<p class=note>{check['cells']} observed scores ({100 * report['holdout']:g}%, seed "
        f"{report['seed']}) were hidden; each method was fitted on the rest and predicted "
        f"them. {_e(methods[0])} here is configured as for the rest of the page. Errors "
        "are in score points (each task's own units). The intervals here come from its "
        "calibration refits on the fitted part; those of the heatmap and the leaderboard, "
        "from its refits on the whole table, as <code>scorecast complete --interval</code> "
        "gives them.</p>",
        f'<div class="facts">{facts}<div class="fact">{report["level"]}% intervals cover'
        f'<b>{100 * coverage["overall"]:.1f}%</b>of the hidden scores (mean width '
        f'{_num(coverage["width"])})</div></div>',
        f"<p>Lowest error: <b>{_e(best)}</b>.</p>"]
    group_rows = []
    for row in check["by_group"].itertuples(index=False):
        values = list(row[1:1 + len(methods)])
        low = min(values)
        cells = "".join(_td(v, extra=" best" if v == low else "") for v in values)
        cover = coverage["by_group"].get(row[0], np.nan)
        group_rows.append(f"<tr><td>{_e(row[0])}</td>{cells}"
                          f'{_td(cover, f"{100 * cover:.0f}%")}{_td(row[-1], str(row[-1]))}</tr>')
    text.append("<h3>By how many scores the model has (in the fitted part)</h3>"
                + _table("check-groups", ["known scores of the model", *methods,
                                          f"{report['level']}% coverage", "cells"],
                         group_rows, numeric=set(range(1, len(methods) + 3))))
    task_rows = []
    for row in check["by_task"].itertuples(index=False):
        values = list(row[1:1 + len(methods)])
        low = min(values)
        cells = "".join(_td(v, extra=" best" if v == low else "") for v in values)
        task_rows.append(f"<tr><td>{_e(row[0])}</td>{cells}{_td(row[-1], str(row[-1]))}</tr>")
    text.append("<h3>By task</h3>" + _filter("check-tasks", "tasks") + '<div class="scroll">'
                + _table("check-tasks", ["task", *methods, "cells"], task_rows,
                         numeric=set(range(1, len(methods) + 2))) + "</div>")
    return "".join(text)


def _suggest(report):
    picks = report["suggest"]
    if not picks:
        reason = "not asked for (--suggest 0)" if not report["n_suggest"] else \
            "every model has every score: nothing to evaluate"
        return f"<p class=note>Suggestions: {reason}.</p>"
    rows = []
    for pick in picks:
        tasks = "; ".join(f"{_e(t['task'])} (gain {_num(t['gain'])})" for t in pick["tasks"])
        rows.append(f"<tr><td>{_e(pick['model'])}</td>{_td(pick['width'])}<td>{tasks}</td></tr>")
    return ("<p class=note>The models whose predicted scores are least certain (widest mean "
            f"{report['level']}% interval) and, for each, the evaluations 'scorecast suggest' "
            "would run first: the expected reduction of the variance of the model's other "
            "missing scores (score points squared), each pick given the ones before.</p>"
            + _table("suggest", ["model", "mean interval width", "evaluate next"], rows,
                     numeric={1}))


def _importance(report):
    item = report.get("importance")
    if item is None:
        return None
    if isinstance(item, str):
        return f"<p class=note>{_e(item)}</p>"
    return (f"<p class=note>{_e(item['caption'])}</p><figure>{item['svg']}</figure>")


def _provenance(report):
    source = report["provenance"]["source"]
    parts = []
    if source:
        parts.append(f"<p>{_e(source['description'])}</p><p class=note>Credit: "
                     f"{_e(source['credit'])}. License: {_e(source['license'])}.</p>")
        if source["changes"]:
            parts.append(f"<p class=note>What scorecast changed: {_e(source['changes'])}</p>")
    problems = report["provenance"]["problems"]
    if problems:
        items = "".join(f"<li>{_e(p)}</li>" for p in problems)
        parts.append(f'<h3>Problems found ({len(problems)})</h3><ul class="problems">{items}</ul>')
    else:
        parts.append("<p>Problems found: none.</p>")
    parts.append(f"<h3>What 'scorecast show' reports</h3><pre>{_e(report['provenance']['summary'])}"
                 "</pre>")
    return "".join(parts)


def _heatmap(report):
    level = report["level"]
    return (
        "<p class=note>Each row a model (best average first), each column a task (similar "
        "tasks side by side). Colour: the score's rank among the task's models, so tasks of "
        "any range compare. Predicted cells are paler and carry a dot; a cell outlined in "
        f"red is a fallback. Hover over a cell for its score, its {level}% interval and any "
        "fallback reason.</p>"
        '<div class="legend"><span>worst <span class="ramp" style="background:linear-gradient('
        f'to right,{",".join(report["palette"][::32] + [report["palette"][-1]])})"></span> '
        "best in the task</span>"
        f'<span><span class="swatch" style="background:{report["palette"][200]}"></span>'
        "observed</span>"
        f'<span><span class="swatch" style="background:{report["pale"]}"></span>predicted'
        "</span><label><input type=checkbox id=show-predicted checked> show predicted "
        "cells</label></div>"
        '<div id="heatmap-box"><canvas id="heatmap" role="img" aria-label="models by tasks '
        'heatmap of observed and predicted scores"></canvas></div>')


def render(report):
    """The page of a report (see :func:`scorecast.report.build_report`), as text."""
    table = report["table"]
    sections = [("table", "The table at a glance", _heatmap(report)),
                ("leaderboard", "Leaderboard", _leaderboard(report)),
                ("check", "How good are the predictions here?", _check(report)),
                ("next", "What to evaluate next", _suggest(report))]
    importance = _importance(report)
    if importance is not None:
        sections.append(("importance", "Which factors matter", importance))
    sections.append(("provenance", "Where the data come from", _provenance(report)))
    nav = "".join(f'<a href="#{key}">{_e(title)}</a>' for key, title, _ in sections)
    body = "".join(f'<section id="{key}"><h2>{_e(title)}</h2>{content}</section>'
                   for key, title, content in sections)
    facts = "".join(f'<div class="fact">{_e(label)}<b>{_e(value)}</b></div>' for label, value in (
        ("models", table["models"]), ("tasks", table["tasks"]),
        ("observed scores", f"{table['observed']} ({100 * table['density']:.0f}%)"),
        ("predicted cells", table["predicted"]), ("method", report["method"]),
        ("work", f"{report['seconds']:.0f} s")))
    data = json.dumps(report["heatmap"], separators=(",", ":"), ensure_ascii=False)
    # "</" would end the script element early.
    data = data.replace("</", "<\\/")
    css = (_ASSETS / "report.css").read_text(encoding="utf-8")
    script = (_ASSETS / "report.js").read_text(encoding="utf-8")
    fit_note = f"<p class=note>{_e(report['method_report'])}</p>" if report["method_report"] \
        else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>scorecast report: {_e(table['name'])}</title>
<style>{css}</style></head>
<body><header><h1>scorecast report: {_e(table['name'])}</h1>
<p class="lead">Observed and predicted scores of every model on every task, how far to trust
them, and what to evaluate next. Made by scorecast {_e(report['version'])} with
<code>{_e(report['command'])}</code>.</p>
<div class="facts">{facts}</div>{fit_note}<nav>{nav}</nav></header>
{body}
<div id="tooltip" role="tooltip"></div>
<script type="application/json" id="report-data">{data}</script>
<script>{script}</script>
</body></html>
"""
