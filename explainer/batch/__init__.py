"""Many variants of one script: the variants file, the runner (local or on a cluster) and the
batch's index page.

May import :mod:`explainer.pipeline` and every folder below it.
"""
