"""``--jobs`` is a budget of cores: a render and everything it starts stay within it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from explainer.distribute.executors import available_cores, cpu_budget

_CHILD_CORES = "import os; print(len(os.sched_getaffinity(0)))"

needs_two_cores = pytest.mark.skipif(len(available_cores()) < 2, reason="needs two cores")


def _cores_of_a_child_process() -> int:
    done = subprocess.run([sys.executable, "-c", _CHILD_CORES], capture_output=True, check=True)
    return int(done.stdout)


@needs_two_cores
def test_one_job_keeps_this_process_and_its_children_on_one_core() -> None:
    before = os.sched_getaffinity(0)
    with cpu_budget(1) as cores:
        assert cores == 1
        assert len(os.sched_getaffinity(0)) == 1
        assert _cores_of_a_child_process() == 1  # ffmpeg, voices and scene workers too
    assert os.sched_getaffinity(0) == before


@needs_two_cores
def test_the_budget_is_restored_when_the_render_fails() -> None:
    before = os.sched_getaffinity(0)
    with pytest.raises(RuntimeError), cpu_budget(1):
        raise RuntimeError("a scene failed")
    assert os.sched_getaffinity(0) == before


def test_no_budget_or_a_large_one_uses_every_core() -> None:
    every = len(available_cores())
    for jobs in (None, every, every + 5):
        with cpu_budget(jobs) as cores:
            assert cores == every
            assert _cores_of_a_child_process() == every
