"""What the narration says about the numbers: head patterns measured for any sentence, the
story heads of a trained model, a decoder's habits, and the placeholders that fill the
script's words from them.

May import :mod:`attention.worked`, :mod:`attention.models` and the root modules.
"""
