"""Where scene jobs run: the executors table (local processes or a Dask cluster), the Dask
pool and its worker setup, and the cluster address and its security.

A new executor is one row of :data:`explainer.distribute.executors.EXECUTORS`.
May import :mod:`explainer.render`, :mod:`explainer.audio`, :mod:`explainer.plan`,
:mod:`explainer.voice` and :mod:`explainer.core`.
"""
