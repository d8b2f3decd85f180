"""Metrics on examples computed by hand."""

import numpy as np
import pytest

from scorecast.evaluation.metrics import mae, mean_l1, mean_spearman, mse, rank_metrics, rmse


def test_error_metrics_by_hand():
    truth, predicted = [1.0, 2.0, 4.0], [2.0, 2.0, 1.0]
    assert mse(truth, predicted) == pytest.approx((1 + 0 + 9) / 3)
    assert mean_l1(truth, predicted) == pytest.approx(4 / 3) == mae(truth, predicted)
    assert rmse(truth, predicted) == pytest.approx(np.sqrt(10 / 3))


# One task, five models observed: true scores 90 > 80 > 70 > 60 > 50 (ranks 1..5).
SCORES = np.array([[90.0], [80.0], [70.0], [60.0], [50.0]])


def test_task_scope_ranks_among_all_observed_models():
    cells = np.array([[1, 0], [4, 0]])            # true ranks 2 and 5
    # 85 keeps rank 2; 95 would be rank 1 (off by 4 for the model ranked 5)
    result = rank_metrics(SCORES, cells, np.array([85.0, 95.0]))
    assert result == {"accuracy": 0.5, "mae_at_2": 0.5}
    # 65 puts the rank-5 model at rank 4: not exact, within 2
    assert rank_metrics(SCORES, cells, np.array([85.0, 65.0])) == {"accuracy": 0.5,
                                                                   "mae_at_2": 1.0}


def test_ties_share_their_mean_rank():
    # predicted 80 for model 0 ties with model 1 (true 80): mean rank 1.5, true rank 1
    result = rank_metrics(SCORES, np.array([[0, 0]]), np.array([80.0]))
    assert result["accuracy"] == 0.0 and result["mae_at_2"] == 1.0
    tied = np.array([[70.0], [70.0], [50.0]])
    # model 0's true rank is 1.5 (tied); predicting exactly 70 keeps it
    assert rank_metrics(tied, np.array([[0, 0]]), np.array([70.0]))["accuracy"] == 1.0


def test_lower_is_better_reverses_ranks():
    cells = np.array([[4, 0]])                    # 50 is the best when lower is better
    assert rank_metrics(SCORES, cells, np.array([45.0]), higher_is_better=[False]) == \
        {"accuracy": 1.0, "mae_at_2": 1.0}
    assert rank_metrics(SCORES, cells, np.array([95.0]), higher_is_better=[False]) == \
        {"accuracy": 0.0, "mae_at_2": 0.0}


def test_held_out_scope_is_the_notebooks():
    cells = np.array([[1, 0], [4, 0]])
    # among the two held-out cells only: any prediction that keeps their order is exact
    result = rank_metrics(SCORES, cells, np.array([30.0, 10.0]), scope="held-out")
    assert result == {"accuracy": 1.0, "mae_at_2": 1.0}
    # among all five models, 30 drops the rank-2 model to rank 5; 10 keeps rank 5
    assert rank_metrics(SCORES, cells, np.array([30.0, 10.0])) == {"accuracy": 0.5,
                                                                   "mae_at_2": 0.5}
    with pytest.raises(ValueError, match="scope"):
        rank_metrics(SCORES, cells, np.array([1.0, 2.0]), scope="all")


def test_mean_spearman_over_tasks_with_enough_cells():
    cells = np.array([[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 1], [0, 2]])
    truth = np.array([1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 5.0])
    predicted = np.array([1.0, 2.0, 3.0, 3.0, 2.0, 1.0, 4.0])
    value, n_tasks = mean_spearman(cells, truth, predicted)
    assert n_tasks == 2 and value == pytest.approx(0.0)      # +1 and -1; task 2 too small
