"""Files, names and rules every stage shares: errors, chapter and file names, the cache
folder, quality presets, media probing, the output manifest and the staging of outputs.

Imports nothing else of ``explainer`` (only ``attention`` and third-party packages).
"""
