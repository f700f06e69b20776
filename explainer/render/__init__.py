"""One scene as a job: what a worker needs to render one chapter
(:mod:`explainer.render.scene_jobs`) and the encoder that writes its segments
(:mod:`explainer.render.segment_encoder`).

May import :mod:`explainer.core` (and ``attention``, as every folder may).
"""
