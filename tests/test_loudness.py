"""In-process loudness against first principles and against ffmpeg's ebur128 filter."""

from __future__ import annotations

import math
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest
from helpers import ffmpeg_loudness

from explainer.audio.loudness import integrated_loudness, k_weighting, limit, normalize, true_peak

RATE = 24_000

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


def _sine(freq: float, amplitude: float, seconds: float, rate: int = RATE, phase: float = 0.0):
    t = np.arange(round(seconds * rate)) / rate
    return amplitude * np.sin(2 * np.pi * freq * t + phase)


def _speechlike(seconds: float, level: float, seed: int = 3) -> np.ndarray:
    """Noise bursts and pauses, like speech's loudness and crest factor."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * RATE)) / RATE
    envelope = (np.sin(2 * np.pi * 0.7 * t) > -0.3) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    return level * envelope * np.clip(rng.normal(0, 0.3, t.size), -1, 1)


def _ffmpeg_ebur128(samples: np.ndarray, tmp_path: Path) -> tuple[float, float]:
    path = tmp_path / "x.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(4)
        out.setframerate(RATE)
        out.writeframes((np.clip(samples, -1, 1) * (2**31 - 1)).astype("<i4").tobytes())
    return ffmpeg_loudness(path)


def test_k_weighting_at_48k_is_the_table_in_bs1770() -> None:
    (shelf_b, shelf_a), (high_b, high_a) = k_weighting(48_000)
    # ITU-R BS.1770-4, tables 1 and 2
    assert shelf_b == pytest.approx([1.53512485958697, -2.69169618940638, 1.19839281085285])
    assert shelf_a == pytest.approx([1.0, -1.69065929318241, 0.73248077421585])
    assert high_b == pytest.approx([1.0, -2.0, 1.0])
    assert high_a == pytest.approx([1.0, -1.99004745483398, 0.99007225036621])


def test_a_997_hz_sine_reads_its_rms_level_in_lufs() -> None:
    # BS.1770 is calibrated so a 997 Hz sine in one channel reads its RMS level in dBFS,
    # -3.01 LUFS at full scale (K-weighting adds 0.691 dB there; the offset takes it back)
    for amplitude in (1.0, 0.1, 0.01):
        rms_dbfs = 20 * math.log10(amplitude / math.sqrt(2))
        measured = integrated_loudness(_sine(997, amplitude, 5.0, rate=48_000), 48_000)
        assert measured == pytest.approx(rms_dbfs, abs=0.05)


def test_the_relative_gate_ignores_a_quiet_tail() -> None:
    # 3 s of tone, then 3 s 30 dB quieter: without gates the mean power would be half the
    # loud part's (-3 dB); the quiet blocks fall under the -10 LU relative gate, and only
    # the few blocks straddling the change pull the result down, by a fraction of a dB
    loud, quiet = _sine(997, 0.1, 3.0), _sine(997, 0.1 * 10 ** (-30 / 20), 3.0)
    alone = integrated_loudness(loud, RATE)
    both = integrated_loudness(np.concatenate([loud, quiet]), RATE)
    assert alone - 0.3 < both < alone


def test_silence_has_no_loudness_and_no_peak() -> None:
    silence = np.zeros(RATE * 2)
    assert integrated_loudness(silence, RATE) == -math.inf
    assert true_peak(silence) == -math.inf
    samples, result = normalize(silence, RATE, -2.0)
    assert np.array_equal(samples, silence)
    assert result.integrated == -math.inf


def test_true_peak_sees_the_peak_between_samples() -> None:
    # a sine at a quarter of the rate, 45 degrees off: every sample is at 0.707 of the
    # amplitude, the waveform between them reaches the full amplitude (-3.01 dB higher)
    x = _sine(RATE / 4, 0.5, 1.0, phase=math.pi / 4)
    assert 20 * math.log10(np.abs(x).max()) == pytest.approx(20 * math.log10(0.5) - 3.01, abs=0.01)
    assert true_peak(x) == pytest.approx(20 * math.log10(0.5), abs=0.1)


@needs_ffmpeg
@pytest.mark.parametrize(
    "signal",
    [
        _speechlike(8.0, 0.5),
        _speechlike(8.0, 0.05, seed=9),
        _sine(440, 0.3, 4.0) + _sine(3000, 0.2, 4.0),
        _sine(RATE / 4, 0.5, 2.0, phase=math.pi / 4) * np.hanning(2 * RATE),
    ],
    ids=["speech", "quiet speech", "two tones", "inter-sample peaks"],
)
def test_measurements_agree_with_ffmpeg_ebur128(signal: np.ndarray, tmp_path: Path) -> None:
    ffmpeg_integrated, ffmpeg_peak = _ffmpeg_ebur128(signal, tmp_path)
    assert integrated_loudness(signal, RATE) == pytest.approx(ffmpeg_integrated, abs=0.1)
    # 4x oversampling can miss a peak between its points by up to ~0.2 dB at 6 kHz
    assert true_peak(signal) == pytest.approx(ffmpeg_peak, abs=0.25)


def test_the_limiter_holds_the_ceiling_and_leaves_quiet_parts_alone() -> None:
    x = np.concatenate([_sine(200, 0.1, 1.0), _sine(200, 0.9, 0.5), _sine(200, 0.1, 1.0)])
    limited = limit(x, RATE, -6.0)
    assert true_peak(limited) <= -6.0 + 0.05
    assert np.all(np.abs(limited) <= np.abs(x) + 1e-12)  # it only ever turns down
    # 10 ms from the loud part (its reach is 5 ms), the quiet sine is untouched
    assert np.allclose(limited[: RATE - 240], x[: RATE - 240], rtol=1e-12, atol=0)
    assert np.allclose(limited[-(RATE - 240) :], x[-(RATE - 240) :], rtol=1e-12, atol=0)


def test_the_limiter_changes_gain_smoothly() -> None:
    # a positive level that steps up: the gain (output over input) is defined everywhere
    x = np.concatenate([np.full(RATE // 2, 0.1), np.full(RATE // 2, 0.9)])
    gain = limit(x, RATE, -6.0) / x
    assert gain.min() < 0.6  # it did turn the loud part down, by about 5 dB
    assert np.abs(np.diff(gain)).max() < 0.01  # gradually: a click would be one big step


@pytest.mark.parametrize("level", [0.02, 0.3, 0.95])
def test_normalize_reaches_minus_16_with_the_peak_under_the_aim(level: float) -> None:
    samples, result = normalize(_speechlike(10.0, level), RATE, -2.0)
    assert result.integrated == pytest.approx(-16.0, abs=0.1)
    assert result.true_peak <= -2.0
    # what it reports is what the samples measure
    assert integrated_loudness(samples, RATE) == pytest.approx(result.integrated, abs=1e-9)
    assert true_peak(samples) == pytest.approx(result.true_peak, abs=1e-9)
