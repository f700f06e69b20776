"""The conductor (:mod:`explainer.pipeline.conductor`), read top to bottom: it calls the stages
in order; with the two stages of its own, rendering every scene through an executor
(:mod:`explainer.pipeline.scenes`) and checking every number (:mod:`explainer.pipeline.checks`).

May import every folder below it (outputs and down).
"""
