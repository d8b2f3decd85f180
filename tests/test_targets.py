"""Target spaces: each maps scores to its space and back, and means what it says."""

import numpy as np
import pytest

from scorecast.targets import TARGETS, TargetSpace

RAW = np.array([[50.0, 80.0, np.nan],
                [70.0, np.nan, 10.0],
                [60.0, 90.0, 30.0],
                [np.nan, 85.0, 20.0]])
LOWER, UPPER = np.zeros(3), np.full(3, 100.0)


def fitted(kind):
    return TargetSpace(kind).fit(RAW, LOWER, UPPER)


@pytest.mark.parametrize("kind", [k for k in TARGETS if k != "rank"])
def test_round_trip_on_observed_cells(kind):
    space = fitted(kind)
    values = space.transform(RAW)
    assert np.array_equal(np.isnan(values), np.isnan(RAW))
    back = space.inverse(np.nan_to_num(values))
    observed = ~np.isnan(RAW)
    np.testing.assert_allclose(back[observed], RAW[observed], atol=1e-9)


def test_task_space_is_a_per_task_z_score_with_shrunk_spread():
    values = fitted("task").transform(RAW)
    np.testing.assert_allclose(np.nanmean(values, axis=0), 0, atol=1e-12)
    var = np.nanvar(RAW, axis=0)                   # 3 models per task
    pooled = np.median(var)
    expected = np.sqrt((3 * var + 5 * pooled) / (3 + 5))
    np.testing.assert_allclose(np.nanstd(RAW, axis=0) / np.nanstd(values, axis=0), expected)


def test_a_well_observed_task_keeps_nearly_its_own_spread():
    rng = np.random.default_rng(0)
    raw = np.column_stack([rng.normal(50, 10, 500), rng.normal(50, 2, 500)])
    space = TargetSpace("task").fit(raw, np.zeros(2), np.full(2, 100.0))
    np.testing.assert_allclose(space.tasks_["scale"], raw.std(axis=0), rtol=0.1)


def test_paper_space_divides_by_the_models_best_score():
    values = fitted("paper").transform(RAW)
    # rows with a missing cell: min-max after filling with 0 is score / row max
    np.testing.assert_allclose(values[0, :2], [50 / 80, 1.0])
    np.testing.assert_allclose(values[1, [0, 2]], [1.0, 10 / 70])
    # a complete row is min-max scaled
    np.testing.assert_allclose(values[2], [(60 - 30) / 60, 1.0, 0.0])


def test_rank_space_with_ties_and_mapping_back():
    raw = np.array([[10.0], [20.0], [20.0], [40.0], [np.nan]])
    space = TargetSpace("rank").fit(raw, np.zeros(1), np.full(1, 100.0))
    ranks = space.transform(raw)[:, 0]
    np.testing.assert_allclose(ranks[:4], [0.0, 0.5, 0.5, 1.0])   # tied mean rank 2.5 of 4
    # a predicted rank maps back through the observed scores of the task
    np.testing.assert_allclose(space.inverse(np.array([[0.0], [1 / 3], [0.5], [1.0]]))[:, 0],
                               [10.0, 20.0, 20.0, 40.0])


def test_logit_keeps_off_the_bounds_and_inverse_clips():
    raw = np.array([[0.0, 100.0], [50.0, 50.0]])
    space = TargetSpace("logit").fit(raw, np.zeros(2), np.full(2, 100.0))
    assert np.isfinite(space.transform(raw)).all()
    np.testing.assert_allclose(space.inverse(np.array([[1e6, -1e6]])), [[100.0, 0.0]], atol=1e-9)


def test_logit_floor_raises_the_lower_bound_to_the_weakest_score():
    raw = np.array([[25.0], [40.0], [85.0], [50.0], [60.0], [70.0], [30.0], [45.0]])
    space = TargetSpace("logit-floor").fit(raw, np.zeros(1), np.full(1, 100.0))
    assert space.tasks_["lower"][0] == pytest.approx(25 - 0.05 * 60)
    assert space.inverse(np.array([[-1e6]]))[0, 0] == pytest.approx(22.0)
    # seven models are too few to tell where chance lies: the declared bound stays
    few = TargetSpace("logit-floor").fit(raw[:7], np.zeros(1), np.full(1, 100.0))
    assert few.tasks_["lower"][0] == 0.0


@pytest.mark.parametrize("kind", TARGETS)
def test_inverse_clips_to_each_tasks_range(kind):
    space = fitted(kind)
    out = space.inverse(np.full((4, 3), 1e3))
    assert (out <= 100).all() and (out >= 0).all()


def test_unknown_target():
    with pytest.raises(ValueError, match="unknown target 'zscore'"):
        TargetSpace("zscore")


def test_logit_span_links_over_the_observed_scores_widened_by_a_margin():
    space = fitted("logit-span")
    low, high = np.nanmin(RAW, axis=0), np.nanmax(RAW, axis=0)
    np.testing.assert_allclose(space.tasks_["link_lower"], low - 0.1 * (high - low))
    np.testing.assert_allclose(space.tasks_["link_upper"], high + 0.1 * (high - low))
    # Predictions saturate at the span's edges (inside the declared range here).
    np.testing.assert_allclose(space.inverse(np.full((1, 3), 40.0))[0],
                               space.tasks_["link_upper"], rtol=1e-6)
    # A score of 0 on a 0-100 task does not blow up as the plain logit does.
    raw = np.array([[0.0], [0.5], [20.0], [60.0]])
    span = TargetSpace("logit-span").fit(raw, np.zeros(1), np.full(1, 100.0)).transform(raw)
    plain = TargetSpace("logit").fit(raw, np.zeros(1), np.full(1, 100.0)).transform(raw)
    # 0 and 0.5 points apart: a hair on the span's scale, more than 20 to 60 on the logit's.
    assert span[1, 0] - span[0, 0] < 0.1 * (span[3, 0] - span[2, 0])
    assert plain[1, 0] - plain[0, 0] > plain[3, 0] - plain[2, 0]


def test_logit_span_falls_back_to_the_declared_range_for_thin_tasks():
    raw = np.array([[10.0, 5.0], [20.0, np.nan], [30.0, np.nan]])
    space = TargetSpace("logit-span").fit(raw, np.zeros(2), np.full(2, 100.0))
    assert space.tasks_["link_lower"][1] == 0 and space.tasks_["link_upper"][1] == 100
    params = space.task_params(np.array([40.0, 50.0, 60.0]), np.zeros(3), 0.0, 100.0)
    np.testing.assert_allclose([params["link_lower"][0], params["link_upper"][0]], [38, 62])
