"""The script and its plan: loading and validating the narration script (``script``, in
parts: ``script_source`` reads it, ``script_video``, ``script_scenes`` and ``script_beats``
check its tables, ``script_checks`` holds what they share), the timeline of chapters and
beats, and the keys that name what a render makes (clips, voice takes, the video's inputs).

May import :mod:`explainer.voice` and :mod:`explainer.core`.
"""
