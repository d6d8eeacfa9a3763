"""The benchmarks' own machinery: fair contenders, the steady heap, fresh-process runs."""

import platform

import numpy as np
import pytest

from benchmarks import mlp_training, timing


def test_the_hand_written_loop_trains_exactly_what_dlcore_trains(monkeypatch):
    monkeypatch.setattr(mlp_training, "N_SAMPLES", 4 * mlp_training.BATCH)
    dlcore_run = mlp_training.dlcore_epoch(np.float64)
    hand_run = mlp_training.numpy_epoch(np.float64)
    before = [p.copy() for p in hand_run.params]
    dlcore_run()
    hand_run()
    trained = [p.data for p in dlcore_run.model.parameters()]
    assert len(trained) == len(hand_run.params) == 6
    for ours, hand, start in zip(trained, hand_run.params, before):
        assert not np.array_equal(hand, start)  # four Adam steps moved every tensor
        np.testing.assert_allclose(ours, hand, rtol=1e-7, atol=1e-10)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_steady_heap_is_accepted_by_glibc():
    assert timing.steady_heap() is True


def test_a_fresh_run_reports_its_memory_time_and_page_faults():
    run = timing.fresh_run("benchmarks.small_model", "dlcore_steps", "float32")
    assert 10 < run.peak_rss_mib < 2000
    assert 0 < run.seconds < 60
    assert run.page_faults >= 0
