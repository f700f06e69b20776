"""One sentence through a model: the worked example every chapter shows, the what-ifs the
lessons compute from it (causal mask, temperature, selection) and the next-token
probabilities of a decoder.

May import :mod:`attention.models` and the root modules.
"""
