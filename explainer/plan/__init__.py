"""The script and its plan: loading and validating the narration script, the timeline of
chapters and beats, and the keys that name what a render makes (clips, voice takes, the
video's inputs).

May import :mod:`explainer.voice` and :mod:`explainer.core`.
"""
