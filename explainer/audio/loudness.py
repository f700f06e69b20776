"""Loudness in-process: ITU-R BS.1770 integrated loudness, true peak, a look-ahead limiter.

The narration is normalised here, in numpy, in a few milliseconds per pass; ffmpeg's
``ebur128`` filter stays the independent judge of the encoded result (see
:func:`explainer.outputs.assemble.measure_loudness`) and of these functions in the tests.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, lfilter, upfirdn

__all__ = [
    "Loudness",
    "TARGET_LUFS",
    "MAX_TRUE_PEAK",
    "k_weighting",
    "integrated_loudness",
    "true_peak",
    "limit",
    "normalize",
]

TARGET_LUFS = -16.0
MAX_TRUE_PEAK = -1.0
# the K-weighting stages as analogue prototypes (libebur128's values, which reproduce the
# coefficients BS.1770 tabulates for 48 kHz), so they can be made for any sample rate
_SHELF_HZ, _SHELF_GAIN_DB, _SHELF_Q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
_HIGHPASS_HZ, _HIGHPASS_Q = 38.13547087602444, 0.5003270373238773
_BLOCK_S, _HOP_S = 0.4, 0.1  # gating blocks of 400 ms, overlapping by 75 %
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_OVERSAMPLE = 4  # true peak: the peak of the signal upsampled 4x (BS.1770 annex 2)


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP) of a track."""

    integrated: float
    true_peak: float


def k_weighting(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two K-weighting biquads ``(b, a)`` for ``rate``: high shelf, then high-pass.

    Examples
    --------
    >>> (b, a), _ = k_weighting(48_000)
    >>> [round(float(x), 8) for x in b]     # BS.1770-4, table 1
    [1.53512486, -2.69169619, 1.19839281]
    """
    k = math.tan(math.pi * _SHELF_HZ / rate)
    vh = 10 ** (_SHELF_GAIN_DB / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / _SHELF_Q + k * k
    shelf_b = np.array(
        [vh + vb * k / _SHELF_Q + k * k, 2 * (k * k - vh), vh - vb * k / _SHELF_Q + k * k]
    )
    shelf_a = np.array([a0, 2 * (k * k - 1), 1 - k / _SHELF_Q + k * k])
    k = math.tan(math.pi * _HIGHPASS_HZ / rate)
    highpass_b = np.array([1.0, -2.0, 1.0])
    highpass_a = np.array(
        [1 + k / _HIGHPASS_Q + k * k, 2 * (k * k - 1), 1 - k / _HIGHPASS_Q + k * k]
    )
    # the high-pass keeps b = (1, -2, 1) unnormalised, as BS.1770's table 2 does
    return [(shelf_b / a0, shelf_a / a0), (highpass_b, highpass_a / highpass_a[0])]


def _block_powers(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mean square of the K-weighted signal in every 400 ms block, hopping 100 ms."""
    weighted = samples.astype(np.float64)
    for b, a in k_weighting(rate):
        weighted = lfilter(b, a, weighted)
    block, hop = round(_BLOCK_S * rate), round(_HOP_S * rate)
    if len(weighted) < block:
        return np.zeros(0)
    energy = np.concatenate([[0.0], np.cumsum(weighted * weighted)])
    starts = np.arange(0, len(weighted) - block + 1, hop)
    return np.asarray((energy[starts + block] - energy[starts]) / block)


def _lufs(power: float | np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(power)


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Gated integrated loudness of a mono track in LUFS (-inf for silence).

    Examples
    --------
    >>> t = np.arange(48_000 * 3) / 48_000
    >>> round(integrated_loudness(0.1 * np.sin(2 * np.pi * 997 * t), 48_000), 1)
    -23.0
    """
    powers = _block_powers(samples, rate)
    powers = powers[_lufs(powers) > _ABSOLUTE_GATE]
    if powers.size == 0:
        return -math.inf
    relative = float(_lufs(powers.mean())) + _RELATIVE_GATE
    gated = powers[_lufs(powers) > relative]
    return float(_lufs(gated.mean()))


def _interpolator() -> np.ndarray:
    """The 4x interpolation filter for true peak: 96 taps, 24 per phase.

    Twice BS.1770's 48-tap example: wideband signals then read within 0.05 dB of
    ffmpeg's ebur128 (the 48-tap one read them up to 0.6 dB low).
    """
    taps = firwin(24 * _OVERSAMPLE, 1 / _OVERSAMPLE, window=("kaiser", 5.0))
    return np.asarray(taps * _OVERSAMPLE)  # each phase keeps the signal's amplitude


_INTERPOLATOR = _interpolator()
_DELAY = (len(_INTERPOLATOR) - 1) // 2  # samples of the upsampled signal


def _oversampled_peaks(samples: np.ndarray) -> np.ndarray:
    """|x| upsampled 4x, folded back so entry i is the largest of sample i's four."""
    up = upfirdn(_INTERPOLATOR, samples.astype(np.float64), up=_OVERSAMPLE)
    up = np.abs(up[_DELAY : _DELAY + len(samples) * _OVERSAMPLE])
    phases = [up[phase::_OVERSAMPLE] for phase in range(_OVERSAMPLE)]
    return functools.reduce(np.maximum, phases)


def _decibels(peak: float) -> float:
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def true_peak(samples: np.ndarray) -> float:
    """The true peak of a track in dBTP (-inf for silence).

    Examples
    --------
    >>> true_peak(np.array([0.0, 0.5, -0.25, 0.0] * 100)) >= 20 * math.log10(0.5)  # >= sample peak
    True
    """
    return _decibels(float(_oversampled_peaks(samples).max()) if len(samples) else 0.0)


def limit(
    samples: np.ndarray, rate: int, ceiling_db: float, *, window_s: float = 0.005
) -> np.ndarray:
    """Turn down whatever would peak (true peak) above ``ceiling_db``, smoothly.

    Examples
    --------
    >>> x = np.sin(np.arange(24_000) / 3)
    >>> true_peak(limit(x, 24_000, -6.0)) <= -5.9
    True
    """
    return np.asarray(
        samples * _limiter_gain(_oversampled_peaks(samples), rate, ceiling_db, window_s)
    )


def _limiter_gain(peaks: np.ndarray, rate: int, ceiling_db: float, window_s: float) -> np.ndarray:
    """The gain of each sample that keeps ``peaks`` under the ceiling, without clicks.

    The gain each sample needs is spread to ``window_s`` either side by a minimum
    filter, then smoothed by a moving average no wider than that spread, so the gain
    never rises above what a peak needs and never jumps.
    """
    ceiling = 10 ** (ceiling_db / 20)
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    reach = max(1, round(window_s * rate))
    spread = minimum_filter1d(needed, size=2 * reach + 1, mode="nearest")
    return np.asarray(np.minimum(uniform_filter1d(spread, size=reach + 1, mode="nearest"), needed))


def normalize(samples: np.ndarray, rate: int, peak_aim: float) -> tuple[np.ndarray, Loudness]:
    """Gain to -16 LUFS, limiting true peaks to ``peak_aim`` dBTP if the gain needs it.

    A gain moves loudness and true peak by exactly its decibels; limiting takes back
    a little loudness, so the gain is refined from the limited result until both hold.

    Examples
    --------
    >>> t = np.arange(24_000 * 4) / 24_000
    >>> _, result = normalize(0.01 * np.sin(2 * np.pi * 440 * t), 24_000, -2.0)
    >>> round(result.integrated, 1)
    -16.0
    """
    peaks = _oversampled_peaks(samples)  # a gain scales these exactly: computed once
    measured = Loudness(integrated_loudness(samples, rate), _decibels(float(peaks.max())))
    if not math.isfinite(measured.integrated):  # silence: nothing to normalise
        return samples, measured
    gain_db = TARGET_LUFS - measured.integrated
    for _ in range(6):
        scale = 10 ** (gain_db / 20)
        out = samples * scale
        if measured.true_peak + gain_db > peak_aim:
            out = out * _limiter_gain(peaks * scale, rate, peak_aim - 0.2, 0.005)
        result = Loudness(integrated_loudness(out, rate), true_peak(out))
        if abs(result.integrated - TARGET_LUFS) <= 0.1 and result.true_peak <= peak_aim:
            break
        gain_db += TARGET_LUFS - result.integrated
    return out, result
