"""Sound: the voice cache that speaks every beat once (:mod:`explainer.audio.voice_cache`),
the mix of beats into one narration track, and its loudness.

May import :mod:`explainer.plan`, :mod:`explainer.voice` and :mod:`explainer.core`.
"""
