"""What every Dask worker of a render does once it joins: stop sampling its own stack.

A Dask worker's statistical profiler walks the running task's stack every 10 ms and folds
it into a call tree for the dashboard. A scene's stack is Manim's, deep and changing every
frame: on the bench's batch the two workers spent 203 s of CPU with the profiler and 169 s
without it (the same 28 scenes), and the batch took 145 s against 124 s. The worker plugin
below stops it on every worker connected now or later, however the worker was started; the
dashboard's profile page is then empty, and nothing else changes.

Imported only with ``--cluster``: ``distributed`` takes half a second to import.
"""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

__all__ = ["NoStackSampling"]

# the names distributed.Worker gives its profiler's periodic callbacks
_PROFILER_CALLBACKS = ("profile", "profile-cycle")


class NoStackSampling(WorkerPlugin):
    """Stop the worker's statistical profiler (register with ``client.register_plugin``).

    ``setup`` runs on the worker's event loop, the thread its periodic callbacks run on,
    so stopping them there is safe.

    Examples
    --------
    >>> class Worker:  # the part of distributed.Worker the plugin uses
    ...     periodic_callbacks = {"profile": None, "heartbeat": None}
    >>> worker = Worker()
    >>> NoStackSampling().setup(worker)
    >>> sorted(worker.periodic_callbacks)
    ['heartbeat']
    """

    name = "attention-explainer-no-stack-sampling"

    def setup(self, worker: Any) -> None:
        for name in _PROFILER_CALLBACKS:
            callback = worker.periodic_callbacks.pop(name, None)
            if callback is not None:
                callback.stop()
