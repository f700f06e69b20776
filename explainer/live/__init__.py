"""``explainer watch``'s loop: re-render on every save and show it in a live preview page.

Imports ``core``, ``plan`` and the standard library (the render runs as its own
``explainer render`` process, so every save is rendered with the code as it is on disk);
nothing below it imports it.
"""
