"""`scorecast report`: what the page holds, the command, and the page in a real browser."""

import json
import os
import re

import numpy as np
import pytest

from scorecast import datasets
from scorecast.cli import main as cli
from scorecast.report import build_report
from scorecast.synthetic import make_leaderboard

from browser import Browser, find_chromium
from figures import assert_picture


def main(argv):
    return cli.main([str(a) for a in argv])


@pytest.fixture(scope="module")
def synthetic_report():
    table = make_leaderboard("generations", n_models=40, n_tasks=8, random_state=0)[0]
    return table, build_report(table, method="mf", random_state=0)


def _page_data(page):
    raw = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page,
                    re.S).group(1)
    return json.loads(raw.replace("<\\/", "</"))


def test_the_page_holds_every_cell_ordered_and_marked(synthetic_report):
    table, report = synthetic_report
    data = _page_data(report.html())
    n = table.shape[0] * table.shape[1]
    cells = data["cells"]
    assert sorted(data["models"]) == sorted(table.models)
    assert sorted(data["tasks"]) == sorted(table.tasks)
    assert all(len(cells[key]) == n for key in ("score", "lower", "upper", "observed", "shade"))
    assert sum(cells["observed"]) == table.n_observed
    # Observed cells carry their observed score and no interval; predicted ones an interval
    # around the prediction.
    scores = table.scores.loc[data["models"], data["tasks"]].to_numpy().ravel()
    observed = np.array(cells["observed"], bool)
    np.testing.assert_allclose(np.array(cells["score"])[observed], scores[observed], rtol=1e-3)
    lower = np.array([np.nan if v is None else v for v in cells["lower"]])
    upper = np.array([np.nan if v is None else v for v in cells["upper"]])
    assert np.isnan(lower[observed]).all()
    predicted = np.array(cells["score"])[~observed]
    assert (lower[~observed] <= predicted + 1e-6).all() and (predicted <= upper[~observed] +
                                                             1e-6).all()
    assert min(cells["shade"]) == 0 and max(cells["shade"]) == 255
    # Models best first: the first model's completed average beats the last one's.
    completed = np.array(cells["score"]).reshape(len(data["models"]), -1)
    assert completed[0].mean() > completed[-1].mean()


def test_the_leaderboard_ranks_by_the_summary_with_intervals(synthetic_report):
    table, report = synthetic_report
    board = report.content["leaderboard"]
    assert len(board) == table.shape[0]
    assert board["summary"].is_monotonic_decreasing
    assert (board["lower"] <= board["summary"] + 1e-9).all()
    assert (board["summary"] <= board["upper"] + 1e-9).all()
    observed = table.observed.sum(axis=1)
    assert dict(zip(board["model"], board["observed"])) == dict(zip(table.models, observed))


def test_the_held_out_check_compares_with_mean_and_mf(synthetic_report):
    table, report = synthetic_report
    check = report.content["check"]
    assert check["methods"] == ["mf", "mean"]
    assert check["cells"] == round(0.1 * table.n_observed)
    assert check["overall"]["mf"] < check["overall"]["mean"]
    assert 0.5 < check["coverage"]["overall"] <= 1
    assert check["by_task"]["cells"].sum() == check["cells"]
    assert check["by_group"]["cells"].sum() == check["cells"]


def test_suggestions_go_to_the_least_certain_models(synthetic_report):
    _, report = synthetic_report
    picks = report.content["suggest"]
    assert len(picks) == 5
    widths = [p["width"] for p in picks]
    assert widths == sorted(widths, reverse=True)
    assert all(1 <= len(p["tasks"]) <= 3 for p in picks)


def test_the_page_loads_nothing_from_outside(synthetic_report):
    page = synthetic_report[1].html()
    assert "default-src 'none'" in page            # the browser refuses any request
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page


def test_report_command_on_a_csv_with_tasks(fixture_path, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", fixture_path("leaderboard.csv"),
                 "--model-factors", fixture_path("leaderboard_models.csv"),
                 "--method", "mf", "--tasks", "MMLU,GSM8K", "--holdout", "0.2",
                 "-o", out]) == 0
    assert "wrote" in capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert "2 tasks (MMLU, GSM8K)" in page
    assert "scorecast report" in page and "--tasks=MMLU,GSM8K" in page


@pytest.mark.parametrize("argv, message", [
    (["--tasks", "MMLU,nope"], "--tasks: no task named 'nope'"),
    (["--level", "1.5"], "expected a number between 0 and 1"),
    (["--method", "nope"], "unknown method 'nope'"),
])
def test_report_command_errors_are_one_line(fixture_path, tmp_path, capsys, argv, message):
    out = tmp_path / "r.html"
    assert main(["report", fixture_path("leaderboard.csv"), "-o", out, *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not out.exists()


def test_report_command_never_writes_onto_its_input(fixture_path, tmp_path, capsys):
    scores = tmp_path / "scores.csv"
    scores.write_bytes(fixture_path("leaderboard.csv").read_bytes())
    assert main(["report", scores, "--method", "mf", "-o", scores]) == 2
    assert "scorecast: error: -o" in capsys.readouterr().err
    assert scores.read_bytes() == fixture_path("leaderboard.csv").read_bytes()


# ---------------------------------------------------------------------------- in a browser
@pytest.fixture(scope="module")
def chromium():
    path = find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


def test_the_report_in_a_real_browser(chromium, tmp_path):
    page = tmp_path / "cpp.html"
    assert main(["report", "--dataset", "cpp-llm", "--method", "mf", "-o", page]) == 0
    shot = tmp_path / "shot.png"
    with Browser(chromium) as browser:
        session = browser.open(page.as_uri(), width=1280, height=900)
        assert browser.evaluate(session, "document.body.dataset.ready") == "true"
        # The heatmap is drawn: its canvas has the table's cells in colour.
        drawn = browser.evaluate(session, """(() => {
            const c = document.getElementById('heatmap');
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let ink = 0;
            for (let i = 0; i < px.length; i += 4)
              if (px[i] + px[i + 1] + px[i + 2] < 700) ink++;
            return {w: c.width, h: c.height, ink: ink / (px.length / 4)};
        })()""")
        assert drawn["w"] > 500 and drawn["h"] > 500 and drawn["ink"] > 0.3
        rows = browser.evaluate(session,
                                "document.querySelectorAll('#leaderboard tbody tr').length")
        assert rows == 72
        # Hovering a cell explains it.
        tip = browser.evaluate(session, """(() => {
            const c = document.getElementById('heatmap'), box = c.getBoundingClientRect();
            c.dispatchEvent(new MouseEvent('mousemove', {clientX: box.left + box.width / 2,
                                                         clientY: box.top + 200}));
            return document.getElementById('tooltip').textContent;
        })()""")
        assert " on " in tip and ("observed score" in tip or "predicted" in tip)
        # Sorting by a heading reorders the leaderboard.
        first = browser.evaluate(session, """(() => {
            document.querySelector('#leaderboard th:nth-child(2)').click();
            return document.querySelector('#leaderboard tbody tr td:nth-child(2)').textContent;
        })()""")
        models = sorted(datasets.load("cpp-llm").models, key=str.lower)
        assert first == models[0]
        browser.screenshot(session, shot)
        assert browser.console_errors() == []
        assert browser.requests() == [page.as_uri()]
    assert_picture(shot, min_bytes=50_000, min_ink=0.2)


def test_suggestions_can_be_left_out(synthetic_report):
    table, _ = synthetic_report
    page = build_report(table, method="mean", n_suggest=0).html()
    assert "Suggestions: not asked for (--suggest 0)." in page


def test_the_pages_intervals_are_those_of_complete_for_the_same_seed():
    from scorecast import make_predictor
    from scorecast.predictors._registry import seeded

    table = make_leaderboard("generations", n_models=30, n_tasks=6, random_state=4)[0]
    report = build_report(table, random_state=2)       # the default method, auto
    data = report.content["heatmap"]
    long = seeded(make_predictor("auto"), 2).fit(table).complete(interval=0.9)
    long = long.set_index(["model", "task"])
    cells = data["cells"]
    pairs = [(m, t) for m in data["models"] for t in data["tasks"]]
    lower = np.array([np.nan if v is None else v for v in cells["lower"]])
    expected = long.loc[pairs, "lower"].to_numpy()
    predicted = ~np.array(cells["observed"], bool)
    assert predicted.any()
    np.testing.assert_allclose(lower[predicted], expected[predicted], rtol=1e-3)
