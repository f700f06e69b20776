"""The voice stage: every beat voiced once, kept in a content-addressed WAV cache.

A beat's WAV is keyed by its text, the engine and its settings
(:func:`explainer.plan.keys.voice_name`); a cached WAV is checked before it is reused, and a new
one is normalised (mono, 16-bit, silent edges trimmed) and written atomically. Each engine's
own sample rate is kept (festival 32 kHz, Piper 22.05 kHz, flite 16 kHz, a recording its
own): the mix resamples every beat once, to a rate that loses none of them.
"""

from __future__ import annotations

import os
import tempfile
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError
from pydub.silence import detect_leading_silence

from explainer.core.errors import VoiceError, one_line
from explainer.plan.keys import voice_name
from explainer.voice.engines import Voice
from scenes.plan import Beat, ScenePlan

__all__ = ["synthesize_beats", "unvoiced_scenes"]

_RATES = range(8_000, 192_001)  # a cached WAV's rate: the engine's own, within reason
_SILENCE_DBFS = -50.0  # below this a stretch of audio counts as silence
_EDGE_MS = 40  # silence kept before and after speech, so consonants are not clipped
_MIN_RMS = 30  # of 32767: quieter than this for the whole beat means the engine said nothing


def _cached_duration(path: Path) -> float | None:
    """The duration of a valid cache entry in our format, or None if it must be redone."""
    try:
        with wave.open(str(path), "rb") as handle:
            params = handle.getparams()
            data = handle.readframes(params.nframes)
    except (OSError, EOFError, wave.Error):
        return None
    if (params.nchannels, params.sampwidth) != (1, 2) or params.framerate not in _RATES:
        return None
    samples = len(data) // 2
    if samples == 0 or samples != params.nframes:
        return None
    return samples / params.framerate


def _normalise(raw: Path, where: str) -> AudioSegment:
    """Decode an engine's WAV, make it mono 16-bit at its own rate, trim silent edges."""
    try:
        audio = AudioSegment.from_file(raw, format="wav")
    except (CouldntDecodeError, OSError, EOFError, ValueError, IndexError) as error:
        raise VoiceError(f"{where}: cannot decode {raw.name} as WAV ({one_line(error)})") from None
    audio = audio.set_channels(1).set_sample_width(2)
    if audio.frame_rate not in _RATES:
        raise VoiceError(f"{where}: {raw.name} has a sample rate of {audio.frame_rate} Hz")
    if len(audio) == 0 or audio.rms < _MIN_RMS:
        raise VoiceError(
            f"{where}: the voice produced silence; check the engine works "
            "(`explainer voices`) and the text has words"
        )
    lead = detect_leading_silence(audio, silence_threshold=_SILENCE_DBFS)
    tail = detect_leading_silence(audio.reverse(), silence_threshold=_SILENCE_DBFS)
    start = max(0, lead - _EDGE_MS)
    end = min(len(audio), len(audio) - tail + _EDGE_MS)
    return audio[start:end]


def _synthesize_one(scene_id: str, beat: Beat, voice: Voice, target: Path) -> float:
    """Voice one beat into ``target`` atomically; returns its duration in seconds."""
    where = f"beat {scene_id}/{beat.id}"
    with tempfile.TemporaryDirectory(prefix="voice-", dir=target.parent) as tmp:
        raw = Path(tmp) / "raw.wav"
        voice.synthesize(beat.text, raw, scene_id=scene_id, beat_id=beat.id)
        if not raw.is_file() or raw.stat().st_size == 0:
            raise VoiceError(f"{where}: {voice.name} wrote no audio")
        audio = _normalise(raw, where)
        staged = Path(tmp) / "normalised.wav"
        audio.export(staged, format="wav")
        duration = _cached_duration(staged)
        if duration is None:  # pragma: no cover - pydub wrote a WAV we cannot read back
            raise VoiceError(f"{where}: bad normalised WAV")
        os.replace(staged, target)
    return duration


VoiceProgress = Callable[[str, Beat, bool], None]


def synthesize_beats(
    plans: Sequence[ScenePlan],
    voice: Voice,
    cache_dir: Path,
    on_progress: VoiceProgress | None = None,
    *,
    jobs: int | None = None,
) -> list[ScenePlan]:
    """Voice every beat, reusing cached WAVs whose text, engine and settings are unchanged.

    Parameters
    ----------
    plans
        The scenes in video order, their beats as the script loaded them.
    voice
        The engine (see :func:`parse_voice`).
    cache_dir
        Where the WAVs live (the pipeline passes ``media/cache/voice``); created if absent.
    on_progress
        Called after each beat with its scene id, the voiced beat and whether it came from
        the cache (cached beats first, then the others as they finish).
    jobs
        Beats voiced at once (an engine with a session, Piper, voices one at a time in one
        process while the others' WAVs are trimmed); default the number of cores.

    Returns
    -------
    list[ScenePlan]
        The same plans, every beat voiced: ``audio`` a mono 16-bit WAV at the engine's rate
        with silent edges trimmed, ``speech`` its duration measured from the decoded samples.

    Examples
    --------
    >>> from explainer.plan.script import load_script
    >>> voiced = synthesize_beats(load_script().scenes[:1], EspeakVoice(),
    ...                           Path("media/cache/voice"))          # doctest: +SKIP
    >>> voiced[0].beats[0].audio.suffix                               # doctest: +SKIP
    '.wav'
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    notify = on_progress or (lambda scene_id, beat, cached: None)
    voiced: dict[tuple[int, int], Beat] = {}
    missing: list[tuple[tuple[int, int], str, Beat, Path]] = []
    for s, plan in enumerate(plans):
        for b, beat in enumerate(plan.beats):
            target = cache_dir / voice_name(plan.scene_id, beat, voice)
            duration = _cached_duration(target) if target.is_file() else None
            if duration is None:
                missing.append(((s, b), plan.scene_id, beat, target))
                continue
            voiced[s, b] = beat.voiced(duration, target)
            notify(plan.scene_id, voiced[s, b], True)
    if missing:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(missing)))
        # a session keeps an engine's model loaded for every beat (Piper: one process)
        with voice.session():
            pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="voice")
            try:
                futures = {
                    pool.submit(_synthesize_one, scene_id, beat, voice, target): job
                    for job in missing
                    for at, scene_id, beat, target in [job]
                }
                for future in as_completed(futures):
                    at, scene_id, beat, target = futures[future]
                    duration = future.result()  # the first failure stops the rest
                    voiced[at] = beat.voiced(duration, target)
                    notify(scene_id, voiced[at], False)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    return [
        replace(plan, beats=tuple(voiced[s, b] for b in range(len(plan.beats))))
        for s, plan in enumerate(plans)
    ]


def unvoiced_scenes(plans: Sequence[ScenePlan], voice: Voice, cache_dir: Path) -> set[str]:
    """Ids of the scenes with a beat not yet in the voice cache (they will be re-rendered)."""
    return {
        plan.scene_id
        for plan in plans
        for beat in plan.beats
        if not (Path(cache_dir) / voice_name(plan.scene_id, beat, voice)).is_file()
    }
