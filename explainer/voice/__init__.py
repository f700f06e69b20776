"""The voices: the engines table (:data:`explainer.voice.engines.ENGINES`), each engine that
turns a beat's text into a WAV (festival, espeak, flite, Piper, recorded takes), and the
text the engines are given (:mod:`explainer.voice.speech_text`).

A new voice is one row of the engines table and, if it needs a program, one engine class.
May import :mod:`explainer.core`.
"""
