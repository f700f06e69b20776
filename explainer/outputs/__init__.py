"""What a render hands to people: the assembled video with its subtitles, the numbers table,
the explorer page (:mod:`explainer.outputs.explore`) and the lecture material
(:mod:`explainer.outputs.lecture`).

A new output is one row of the conductor's outputs table and a module here.
May import every folder below it: :mod:`explainer.distribute`, :mod:`explainer.render`,
:mod:`explainer.audio`, :mod:`explainer.plan`, :mod:`explainer.voice`, :mod:`explainer.core`.
"""
