"""The narration track: every beat on its start frame, each scene at -16 LUFS, encoded.

Needs only the timeline, not the clips, so the pipeline makes it while the scenes render.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydub import AudioSegment
from scipy.signal import resample_poly

from explainer.audio.loudness import MAX_TRUE_PEAK, TARGET_LUFS, Loudness, normalize
from explainer.core.cache import file_sha256, prune_entries, write_atomic
from explainer.core.errors import RenderError
from explainer.core.media import run_ffmpeg
from explainer.plan.keys import narration_key
from explainer.plan.timeline import Timeline

__all__ = [
    "MIX_RATE",
    "AudioPlacement",
    "Narration",
    "encode_aac",
    "frame_to_sample",
    "measure_loudness",
    "mix_samples",
    "prepare_narration",
]

# every beat is resampled once, from its engine's own rate, to this one: above all of them
# (festival 32 kHz, Piper and espeak 22.05 kHz, flite 16 kHz), so none loses a thing, and
# the video standard. It divides by 15, 24, 25, 30 and 60 fps: every frame starts on a sample
MIX_RATE = 48_000
# aim under the ceiling: AAC encoding can push true peaks up by a few tenths of a dB
_TP_AIM = -2.0

_AAC_BITRATE = "96k"  # mono speech: transparent


@dataclass(frozen=True)
class AudioPlacement:
    """One beat's WAV and the frame its speech starts on."""

    path: Path
    start_frame: int


def _read_mono(path: Path, sample_rate: int) -> np.ndarray:
    """Decode an audio file to mono float32 at ``sample_rate``, in [-1, 1].

    The voice cache stores mono 16-bit WAVs at the engine's rate, read directly; any other
    file goes through pydub. A different rate is converted once, by a polyphase filter
    (scipy's ``resample_poly``, an exact ratio such as 320:147 for 22.05 -> 48 kHz; flat
    within 0.05 dB up to 85 % of the voice's own bandwidth).
    """
    try:
        with wave.open(str(path), "rb") as handle:
            params = handle.getparams()
            if (params.nchannels, params.sampwidth) == (1, 2):
                data = handle.readframes(params.nframes)
                samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
                return _resampled(samples, params.framerate, sample_rate)
    except (OSError, EOFError, wave.Error):
        pass
    try:
        segment = AudioSegment.from_file(path)
    except Exception as error:  # pydub raises bare exceptions from ffmpeg decoding
        raise RenderError(f"cannot read the narration audio {path}: {error}") from None
    segment = segment.set_channels(1).set_sample_width(2)
    samples = np.frombuffer(segment.raw_data, dtype="<i2").astype(np.float32) / 32768.0
    return _resampled(samples, segment.frame_rate, sample_rate)


def _resampled(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """``samples`` at ``rate`` converted to ``target`` Hz: ``ceil(n * target / rate)`` of them.

    Examples
    --------
    >>> len(_resampled(np.zeros(22_050, np.float32), 22_050, 48_000))
    48000
    """
    if rate == target:
        return samples
    common = math.gcd(rate, target)
    return np.asarray(resample_poly(samples, target // common, rate // common), np.float32)


def _write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes(pcm.tobytes())


def frame_to_sample(frame: int, fps: float, sample_rate: int = MIX_RATE) -> int:
    """The sample on which ``frame`` starts.

    Examples
    --------
    >>> frame_to_sample(15, 15), frame_to_sample(1, 60)
    (48000, 800)
    """
    return round(frame * sample_rate / fps)


def mix_samples(
    placements: Sequence[AudioPlacement],
    total_frames: int,
    fps: float,
    sample_rate: int = MIX_RATE,
) -> np.ndarray:
    """Silence the length of the video with each beat's speech placed on its start frame.

    The track is exactly ``total_frames / fps`` seconds long; a beat that would run past the
    end (it cannot, if its slot was sized to it) is cut there.

    Examples
    --------
    >>> len(mix_samples([], 30, 15))
    96000
    """
    total = frame_to_sample(total_frames, fps, sample_rate)
    track = np.zeros(total, dtype=np.float32)
    for placement in placements:
        speech = _read_mono(placement.path, sample_rate)
        start = frame_to_sample(placement.start_frame, fps, sample_rate)
        end = min(total, start + len(speech))
        if end > start:
            track[start:end] += speech[: end - start]
    return track


def _as_float(value: str) -> float:
    # silence measures as -inf (or nan): treat it as very quiet, never as a number to reach
    return -1e9 if value in ("-inf", "nan") else float(value)


_SUMMARY_I = re.compile(r"I:\s+(-?[\d.]+|-inf|nan) LUFS")

_SUMMARY_PEAK = re.compile(r"Peak:\s+(-?[\d.]+|-inf|nan) dBFS")


def measure_loudness(path: Path) -> Loudness:
    """Measure integrated loudness and true peak of ``path`` (EBU R128, ffmpeg ebur128).

    The ebur128 filter measures in one fast pass (loudnorm's measurement resamples to
    192 kHz first and takes about four times longer).
    """
    stderr = run_ffmpeg(
        [
            "-loglevel", "info", "-nostats", "-i", path, "-map", "0:a:0",
            "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-",
        ],
        what=f"measuring the loudness of {path.name}",
    )  # fmt: skip
    summary = stderr[stderr.rfind("Summary:") :]
    integrated, peak = _SUMMARY_I.search(summary), _SUMMARY_PEAK.search(summary)
    if "Summary:" not in stderr or integrated is None or peak is None:
        raise RenderError(f"ffmpeg printed no loudness summary for {path.name}")
    return Loudness(_as_float(integrated.group(1)), _as_float(peak.group(1)))


def _atrim(start_sample: int, n_samples: int) -> str:
    end = start_sample + n_samples
    return f"atrim=start_sample={start_sample}:end_sample={end},asetpts=N/SR/TB"


def encode_aac(
    wav: Path, out: Path, *, start_sample: int = 0, n_samples: int | None = None
) -> Path:
    """Encode a slice of a WAV (sample-exact) to AAC in an .m4a file."""
    args: list[str | os.PathLike[str]] = ["-i", wav]
    if n_samples is not None:
        args += ["-af", _atrim(start_sample, n_samples)]
    # the fast coder: 4x quicker than the default two-loop search, no audible loss on speech
    args += ["-c:a", "aac", "-aac_coder", "fast", "-b:a", _AAC_BITRATE]
    args += ["-ar", str(MIX_RATE), "-vn", out]
    run_ffmpeg(args, what=f"encoding the narration to {out.name}")
    return out


def _encode_full_track(
    wav: Path, out: Path, on_encoded: Callable[[Path], None] = lambda path: None
) -> tuple[Path, Loudness, bool]:
    """Encode the whole narration to AAC and measure the result, as a viewer hears it.

    AAC can lift true peaks a little above the WAV's; if the encoded track is over the
    ceiling, lower the gain by the excess (rewriting ``wav``) and encode again, into a file
    of its own: ``on_encoded`` is told of the first encode before it is measured, and may
    be reading it meanwhile.

    Returns
    -------
    tuple[Path, Loudness, bool]
        The encoded track, its loudness, and whether ``wav`` had to be made quieter.
    """
    encode_aac(wav, out)
    on_encoded(out)
    measured = measure_loudness(out)
    lowered = False
    for attempt in range(1, 4):
        if measured.true_peak <= MAX_TRUE_PEAK - 0.1:
            break
        quieter = wav.with_name(f"{wav.stem}.quieter{wav.suffix}")
        cut = measured.true_peak - (MAX_TRUE_PEAK - 0.3)
        run_ffmpeg(
            ["-i", wav, "-af", f"volume=-{cut:.3f}dB", "-c:a", "pcm_s16le", quieter],
            what="lowering the narration's peaks",
        )
        os.replace(quieter, wav)
        lowered = True
        out = encode_aac(wav, out.with_name(f"{out.stem}-lowered-{attempt}{out.suffix}"))
        measured = measure_loudness(out)
    if measured.true_peak > MAX_TRUE_PEAK:
        raise RenderError(
            f"the encoded narration peaks at {measured.true_peak:.2f} dBTP, above "
            f"{MAX_TRUE_PEAK} dBTP; please report this with the script"
        )
    return out, measured, lowered


@dataclass(frozen=True)
class Narration:
    """The narration, ready to mux: the whole track and one sample-exact slice per scene.

    ``loudness`` is the encoded track's, as measured; None in a draft, the track as first
    encoded and not yet measured (:func:`prepare_narration`'s ``on_draft``).
    """

    full: Path
    scenes: tuple[Path, ...]
    loudness: Loudness | None


_AUDIO_FORMAT = "2"  # bump when the way a scene's audio is made changes


@dataclass(frozen=True)
class _SceneAudio:
    samples: np.ndarray  # normalised, as stored (16-bit), at MIX_RATE
    m4a: Path


def _scene_audio_paths(store: Path, scene_id: str, raw: np.ndarray) -> tuple[Path, Path, Path]:
    recipe = f"{_AUDIO_FORMAT}|{MIX_RATE}|{_TP_AIM}|{_AAC_BITRATE}|{TARGET_LUFS}"
    key = narration_key(raw.astype("<f4").tobytes(), recipe)
    wav, m4a, meta = (store / f"{scene_id}-{key}{suffix}" for suffix in (".wav", ".m4a", ".json"))
    return wav, m4a, meta


def _cached_scene_audio(wav: Path, m4a: Path, meta: Path, n_samples: int) -> _SceneAudio | None:
    """A stored scene's audio if both files are whole (checksums) and the length is right."""
    try:
        sums = json.loads(meta.read_text(encoding="utf-8"))
        if sums.get("wav") != file_sha256(wav) or sums.get("m4a") != file_sha256(m4a):
            return None
        samples = _read_mono(wav, MIX_RATE)
    except (OSError, ValueError, AttributeError, RenderError):
        return None
    return _SceneAudio(samples, m4a) if len(samples) == n_samples else None


def _scene_audio(raw: np.ndarray, scene_id: str, store: Path) -> _SceneAudio:
    """One scene's narration at -16 LUFS, as 16-bit samples and AAC; reused if unchanged.

    The cache key is a hash of the scene's mixed samples, so editing a line in another
    scene, or moving this one in the video, leaves it untouched.
    """
    wav, m4a, meta = _scene_audio_paths(store, scene_id, raw)
    cached = _cached_scene_audio(wav, m4a, meta, len(raw))
    if cached is not None:
        return cached
    store.mkdir(parents=True, exist_ok=True)
    normalised, _ = normalize(raw, MIX_RATE, _TP_AIM)
    # unfinished files keep their extension (ffmpeg picks the format from it)
    partial = f".partial-{os.getpid()}-{threading.get_ident()}-"
    wav_tmp, m4a_tmp = wav.with_name(partial + wav.name), m4a.with_name(partial + m4a.name)
    try:
        _write_wav(wav_tmp, normalised, MIX_RATE)
        encode_aac(wav_tmp, m4a_tmp)
        os.replace(wav_tmp, wav)
        os.replace(m4a_tmp, m4a)
    finally:
        wav_tmp.unlink(missing_ok=True)
        m4a_tmp.unlink(missing_ok=True)
    write_atomic(meta, json.dumps({"wav": file_sha256(wav), "m4a": file_sha256(m4a)}).encode())
    prune_entries(store, scene_id, (".json", ".wav", ".m4a"))
    return _SceneAudio(_read_mono(wav, MIX_RATE), m4a)


def prepare_narration(
    timeline: Timeline,
    work_dir: Path,
    *,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    on_draft: Callable[[Narration], None] | None = None,
) -> Narration:
    """Mix every beat onto its start frame, bring each scene to -16 LUFS, encode to AAC.

    Each scene is normalised on its own, so every clip played alone is at -16 LUFS, and
    so is the whole video, their concatenation (measured again once encoded). Needs only
    the timeline, not the clips, so the pipeline runs it while the scenes render.

    Parameters
    ----------
    timeline
        The video's timeline; every beat has its WAV in ``beat.audio``.
    work_dir
        Where the full track is written.
    cache_dir
        Where each scene's normalised audio is kept (``media/cache/audio``): a scene whose
        mix is unchanged is not normalised or encoded again. Default: inside ``work_dir``.
    jobs
        Scenes processed at once; default the number of cores.
    on_draft
        Given the narration as soon as the whole track is encoded, before it is measured
        (about 0.4 s for the default video), so its muxing can start meanwhile; the result
        differs from the draft only if the track had to be made quieter.
    """
    fps = timeline.fps
    placements = [
        AudioPlacement(beat.audio, beat.start_frame)
        for _, beat in timeline.beats()
        if beat.audio is not None
    ]
    mixed = mix_samples(placements, timeline.frames, fps)
    spans = [
        (
            frame_to_sample(scene.start_frame, fps, MIX_RATE),
            frame_to_sample(scene.frames, fps, MIX_RATE),
        )
        for scene in timeline.scenes
    ]
    if sum(n for _, n in spans) != len(mixed):  # pragma: no cover - the timeline's invariant
        raise RenderError("the scenes of the timeline do not cover the video exactly")
    store = cache_dir or work_dir / "scenes"
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        parts = list(
            pool.map(
                lambda item: _scene_audio(mixed[item[1][0] : sum(item[1])], item[0].id, store),
                zip(timeline.scenes, spans, strict=True),
            )
        )
    full_wav = work_dir / "narration.wav"
    _write_wav(full_wav, np.concatenate([part.samples for part in parts]), MIX_RATE)
    scene_audio = [part.m4a for part in parts]
    tell = on_draft or (lambda draft: None)
    full, loudness, lowered = _encode_full_track(
        full_wav,
        work_dir / "narration.m4a",
        lambda path: tell(Narration(path, tuple(scene_audio), None)),
    )
    if lowered:  # the scenes were cut from the louder track: cut them again, uncached
        scene_audio = [
            encode_aac(full_wav, work_dir / f"{scene.id}.m4a", start_sample=start, n_samples=n)
            for scene, (start, n) in zip(timeline.scenes, spans, strict=True)
        ]
    return Narration(full, tuple(scene_audio), loudness)
