"""The models behind the seam :class:`attention.models.model.Model`: the hand-designed one with
named dimensions (and its lexicon from WordNet), the trained encoder all-MiniLM-L6-v2, the
decoder SmolLM2-135M read from its GGUF, and the registry that picks one by name.

A new model is one row of :data:`attention.models.registry.MODELS` and a module here.
May import ``attention``'s root modules (core, spec, tokens, rounding).
"""
