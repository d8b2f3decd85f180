"""Figures: each kind is drawn from what the commands compute and written as PNG or SVG."""

import numpy as np
import pandas as pd
import pytest

from scorecast.cli import main as cli
from scorecast.plotting import (PALETTE, benchmark_figure, check_plot_path, colors,
                                profile_figure, save_figure)
from scorecast.errors import ScorecastError

from figures import assert_picture


def main(argv):
    return cli.main([str(a) for a in argv])


def _results(protocols, methods, metrics, seeds=3):
    rng = np.random.default_rng(0)
    rows = [(protocol, method, seed, metric, metric_value(metric, rng))
            for protocol in protocols for method in methods for seed in range(seeds)
            for metric in metrics]
    return pd.DataFrame(rows, columns=["protocol", "method", "seed", "metric", "value"])


def metric_value(metric, rng):
    return rng.uniform(0.75, 0.95) if metric.startswith("coverage") else rng.uniform(2, 9)


@pytest.mark.parametrize("kind, results", [
    ("methods", _results(["random 10%"], ["random", "mean", "mf"], ["mae", "mse_range"])),
    ("sparsity", _results([f"sparsity {p}%" for p in (0, 20, 40)], ["mean", "mf"], ["mae"])),
    ("calibration", _results(["calibration random 5%", "calibration new-model k=0"],
                             ["mean", "mf"], ["mae", "coverage_80", "coverage_90"])),
    ("active", _results(["active"], ["active", "random"],
                        [f"mae_after_{k}" for k in range(4)])),
])
def test_each_protocol_kind_draws_its_figure(kind, results, tmp_path):
    figure = benchmark_figure(results)
    labels = " ".join(ax.get_xlabel() + ax.get_ylabel() for ax in figure.axes)
    expected = {"methods": "score points", "sparsity": "masked (%)",
                "calibration": "nominal coverage (%)", "active": "evaluations revealed"}[kind]
    assert expected in labels
    assert figure.get_suptitle()
    for suffix in ("png", "svg"):
        save_figure(figure, tmp_path / f"{kind}.{suffix}")
        assert_picture(tmp_path / f"{kind}.{suffix}")


def test_methods_keep_their_colour_and_the_palette_is_colour_blind_safe():
    # The same method, the same colour, whatever else a figure shows.
    assert colors(["mean", "mf", "mean", "auto"]) == colors(["auto", "mf", "mean"])
    assert colors(["random", "auto"])["auto"] == PALETTE[0]
    assert len(set(colors(["ncf", "ncf-factors", "mf", "mean", "auto"]).values())) == 5
    assert PALETTE[:3] == ("#0072B2", "#E69F00", "#009E73")      # Okabe-Ito


def test_profile_marks_observed_predicted_and_fallback(tmp_path):
    frame = pd.DataFrame({"score": [50.0, 60.0, 40.0], "observed": [True, False, False],
                          "fallback": [False, False, True], "lower": [50.0, 52.0, 20.0],
                          "upper": [50.0, 68.0, 60.0]}, index=["A", "B", "C"])
    figure = profile_figure(frame, "model 'm'")
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == ["observed", "predicted", "interval", "fallback (no basis to predict)"]
    save_figure(figure, tmp_path / "p.png")
    assert_picture(tmp_path / "p.png", min_bytes=3_000)


def test_a_plot_path_needs_a_figure_extension():
    with pytest.raises(ScorecastError,
                       match=r"--plot out.txt: give a file name ending in one of .*\.png"):
        check_plot_path("out.txt")


def test_benchmark_command_draws_its_results(fixture_path, tmp_path, capsys):
    plot = tmp_path / "bench.svg"
    assert main(["benchmark", "--data", fixture_path("leaderboard.csv"), "--protocol", "random",
                 "--fraction", "0.2", "--seeds", "2", "--methods", "mf", "--jobs", "1",
                 "--plot", plot]) == 0
    assert f"wrote {plot}" in capsys.readouterr().err
    assert_picture(plot)
    assert "Error on held-out scores by method" in plot.read_text()


def test_predict_and_complete_draw_a_profile(fixture_path, tmp_path, capsys):
    plot = tmp_path / "profile.png"
    scores = fixture_path("leaderboard.csv")
    model = pd.read_csv(scores, index_col=0).index[0]
    assert main(["predict", scores, "--model", model, "--method", "mf", "--interval", "0.8",
                 "--plot", plot]) == 0
    assert_picture(plot, min_bytes=3_000)
    done = tmp_path / "done.csv"
    assert main(["complete", scores, "--method", "mf", "-o", done, "--plot",
                 tmp_path / "c.svg", "--plot-model", model]) == 0
    assert_picture(tmp_path / "c.svg", min_bytes=3_000)
    assert f"{model!r}: observed and predicted" in (tmp_path / "c.svg").read_text()


def test_plot_errors_come_before_any_work(fixture_path, tmp_path, capsys):
    scores = fixture_path("leaderboard.csv")
    assert main(["complete", scores, "--method", "mf", "--plot", tmp_path / "x.doc"]) == 2
    assert "give a file name ending in one of" in capsys.readouterr().err
    assert main(["complete", scores, "--method", "mf", "--plot", tmp_path / "x.png",
                 "--plot-model", "nobody"]) == 2
    assert "--plot-model: no model named 'nobody'" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
