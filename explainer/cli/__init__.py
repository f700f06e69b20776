"""The command line: thin ``typer`` commands over the domain functions (``explainer --help``).

May import every folder of ``explainer`` except :mod:`explainer.dev`.
"""
