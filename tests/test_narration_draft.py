"""The narration's draft: the whole track as first encoded is handed over before it is
measured, so the video can be muxed meanwhile; a track that must be made quieter is encoded
again into a file of its own, never over the draft being read.

Signals made here: a sine at full scale (its true peak, about 0 dBTP, is over the -1 dBTP
ceiling) and one 20 dB below it. ffmpeg encodes and measures. About 2 s.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from helpers import write_wav

from explainer.audio.loudness import MAX_TRUE_PEAK
from explainer.audio.mix import MIX_RATE, _encode_full_track


def _sine(path: Path, amplitude: float, seconds: float = 3.0) -> Path:
    t = np.arange(int(MIX_RATE * seconds)) / MIX_RATE
    return write_wav(path, amplitude * np.sin(2 * np.pi * 440 * t), MIX_RATE)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_track_over_the_ceiling_is_encoded_again_beside_its_draft(tmp_path: Path) -> None:
    drafts: list[tuple[Path, str]] = []
    wav = _sine(tmp_path / "loud.wav", 1.0)
    full, loudness, lowered = _encode_full_track(
        wav, tmp_path / "narration.m4a", lambda path: drafts.append((path, _digest(path)))
    )
    ((draft, digest),) = drafts
    assert lowered
    assert full != draft
    assert _digest(draft) == digest  # the draft was not written over
    assert loudness.true_peak <= MAX_TRUE_PEAK


def test_a_track_under_the_ceiling_is_its_draft(tmp_path: Path) -> None:
    drafts: list[Path] = []
    wav = _sine(tmp_path / "quiet.wav", 0.1)
    full, loudness, lowered = _encode_full_track(wav, tmp_path / "narration.m4a", drafts.append)
    assert (lowered, drafts) == (False, [full])
    assert loudness.true_peak <= -19.0  # 20 dB under full scale, as encoded
