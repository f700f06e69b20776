"""Assembly with ffmpeg: narration mix, loudness, per-scene clips, full video, chapters."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
import wave
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydub import AudioSegment

from attention.ledger import NumbersLedger
from explainer.cache import file_sha256, prune_entries, write_atomic
from explainer.errors import RenderError
from explainer.loudness import MAX_TRUE_PEAK, TARGET_LUFS, Loudness, normalize
from explainer.media import run_ffmpeg
from explainer.subtitles import to_srt, to_vtt
from explainer.timeline import Timeline

__all__ = [
    "SAMPLE_RATE",
    "MIX_RATE",
    "TARGET_LUFS",
    "MAX_TRUE_PEAK",
    "AudioPlacement",
    "Chapter",
    "Loudness",
    "mix_samples",
    "mix_narration",
    "measure_loudness",
    "normalize_loudness",
    "encode_aac",
    "mux_clip",
    "write_chapters",
    "concat_video",
    "frame_to_sample",
    "AssembledOutputs",
    "Narration",
    "prepare_narration",
    "assemble_outputs",
]

MIX_RATE = 24_000  # the voice cache's rate: beats are placed without resampling
# the output keeps the mix's rate: every voice is 24 kHz (festival's is 16 kHz), so a higher
# rate would carry only silence above 12 kHz and double the cost of encoding. Both divide
# by 15, 30 and 60 fps exactly, so every frame starts on a whole sample
SAMPLE_RATE = MIX_RATE
# aim under the ceiling: AAC encoding can push true peaks up by a few tenths of a dB
_TP_AIM = -2.0
_AAC_BITRATE = "96k"  # mono speech at 24 kHz: transparent


@dataclass(frozen=True)
class AudioPlacement:
    """One beat's WAV and the frame its speech starts on."""

    path: Path
    start_frame: int


@dataclass(frozen=True)
class Chapter:
    """A chapter marker: title and its span in seconds."""

    title: str
    start: float
    end: float


def _read_mono(path: Path, sample_rate: int) -> np.ndarray:
    """Decode an audio file to mono float32 at ``sample_rate``, in [-1, 1].

    The voice cache already stores mono 16-bit WAVs at the mix rate, read directly; any
    other file (a recording) goes through pydub.
    """
    try:
        with wave.open(str(path), "rb") as handle:
            params = handle.getparams()
            if (params.nchannels, params.sampwidth, params.framerate) == (1, 2, sample_rate):
                data = handle.readframes(params.nframes)
                return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    except (OSError, EOFError, wave.Error):
        pass
    try:
        segment = AudioSegment.from_file(path)
    except Exception as error:  # pydub raises bare exceptions from ffmpeg decoding
        raise RenderError(f"cannot read the narration audio {path}: {error}") from None
    segment = segment.set_channels(1).set_sample_width(2).set_frame_rate(sample_rate)
    samples = np.frombuffer(segment.raw_data, dtype="<i2")
    return samples.astype(np.float32) / 32768.0


def _write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes(pcm.tobytes())


def frame_to_sample(frame: int, fps: float, sample_rate: int = SAMPLE_RATE) -> int:
    """The sample on which ``frame`` starts.

    Examples
    --------
    >>> frame_to_sample(15, 15), frame_to_sample(1, 60)
    (24000, 400)
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
    48000
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


def mix_narration(
    placements: Sequence[AudioPlacement],
    total_frames: int,
    fps: float,
    out_path: Path,
    sample_rate: int = MIX_RATE,
) -> Path:
    """:func:`mix_samples` written to ``out_path`` as a 16-bit WAV.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "mix.wav"
    >>> _ = mix_narration([], 30, 15, out)
    >>> AudioSegment.from_file(out).frame_count()
    48000.0
    """
    _write_wav(out_path, mix_samples(placements, total_frames, fps, sample_rate), sample_rate)
    return out_path


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


def normalize_loudness(src: Path, dst: Path) -> Loudness:
    """Normalise ``src`` to -16 LUFS integrated with true peak at or below -1 dBTP.

    Gain, and a true-peak limiter if the gain needs one, computed in-process (see
    :func:`explainer.loudness.normalize`); the peak is aimed a little under the ceiling
    because AAC encoding can lift it by a few tenths of a dB.

    Returns
    -------
    Loudness
        The loudness of ``dst``, measured on its samples.
    """
    samples = _read_mono(src, MIX_RATE)
    normalised, loudness = normalize(samples, MIX_RATE, _TP_AIM)
    _write_wav(dst, normalised, MIX_RATE)
    if math.isfinite(loudness.integrated) and not loudness.within_target(tolerance=1.0):
        raise RenderError(
            f"cannot bring the narration to {TARGET_LUFS} LUFS / {MAX_TRUE_PEAK} dBTP "
            f"(got {loudness.integrated:.1f} LUFS, {loudness.true_peak:.1f} dBTP)"
        )
    return loudness


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
    args += ["-ar", str(SAMPLE_RATE), "-vn", out]
    run_ffmpeg(args, what=f"encoding the narration to {out.name}")
    return out


def mux_clip(video: Path, audio: Path, out: Path, *, title: str | None = None) -> Path:
    """Put a silent video and an audio track in one mp4, copying both streams."""
    args: list[str | os.PathLike[str]] = [
        "-i", video, "-i", audio, "-map", "0:v:0", "-map", "1:a:0",
        "-c", "copy", "-movflags", "+faststart",
    ]  # fmt: skip
    if title:
        args += ["-metadata", f"title={title}"]
    run_ffmpeg([*args, out], what=f"muxing {out.name}")
    return out


def _escape_metadata(text: str) -> str:
    """Escape ffmetadata's special characters (=, ;, #, \\ and newlines)."""
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def write_chapters(chapters: Sequence[Chapter], path: Path, *, title: str | None = None) -> Path:
    """Write an ffmetadata file with one chapter per scene (millisecond time base).

    Examples
    --------
    >>> import tempfile
    >>> p = write_chapters([Chapter("Tokens", 0.0, 1.5)], Path(tempfile.mkdtemp()) / "m.txt")
    >>> "START=0" in p.read_text() and "END=1500" in p.read_text()
    True
    """
    lines = [";FFMETADATA1"]
    if title:
        lines.append(f"title={_escape_metadata(title)}")
    for chapter in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(chapter.start * 1000)}",
            f"END={round(chapter.end * 1000)}",
            f"title={_escape_metadata(chapter.title)}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _concat_list(clips: Sequence[Path], path: Path) -> Path:
    # the concat demuxer's quoting: single quotes, with ' written as '\''
    lines = ["file '" + str(c.absolute()).replace("'", "'\\''") + "'" for c in clips]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def concat_video(
    clips: Sequence[Path], audio: Path, chapters_file: Path, out: Path, work_dir: Path
) -> Path:
    """Join silent clips (stream copy) and lay the full narration and chapters over them."""
    listing = _concat_list(clips, work_dir / "concat.txt")
    run_ffmpeg(
        [
            "-f", "concat", "-safe", "0", "-i", listing, "-i", audio, "-i", chapters_file,
            "-map", "0:v:0", "-map", "1:a:0", "-map_metadata", "2", "-map_chapters", "2",
            "-c", "copy", "-movflags", "+faststart", out,
        ],
        what=f"joining the scenes into {out.name}",
    )  # fmt: skip
    return out


@dataclass(frozen=True)
class AssembledOutputs:
    """What :func:`assemble_outputs` wrote (paths inside the staging directory)."""

    video: Path
    clips: tuple[Path, ...]
    subtitles: tuple[Path, ...]
    timeline: Path
    numbers: Path
    loudness: Loudness


def _encode_full_track(wav: Path, out: Path) -> tuple[Loudness, bool]:
    """Encode the whole narration to AAC and measure the result, as a viewer hears it.

    AAC can lift true peaks a little above the WAV's; if the encoded track is over the
    ceiling, lower the gain by the excess (rewriting ``wav``) and encode again.

    Returns
    -------
    tuple[Loudness, bool]
        The encoded track's loudness, and whether ``wav`` had to be made quieter.
    """
    encode_aac(wav, out)
    measured = measure_loudness(out)
    lowered = False
    for _ in range(3):
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
        encode_aac(wav, out)
        measured = measure_loudness(out)
    if measured.true_peak > MAX_TRUE_PEAK:
        raise RenderError(
            f"the encoded narration peaks at {measured.true_peak:.2f} dBTP, above "
            f"{MAX_TRUE_PEAK} dBTP; please report this with the script"
        )
    return measured, lowered


@dataclass(frozen=True)
class Narration:
    """The narration, ready to mux: the whole track and one sample-exact slice per scene."""

    full: Path
    scenes: tuple[Path, ...]
    loudness: Loudness


_AUDIO_FORMAT = "1"  # bump when the way a scene's audio is made changes


@dataclass(frozen=True)
class _SceneAudio:
    samples: np.ndarray  # normalised, as stored (16-bit), at MIX_RATE
    m4a: Path


def _scene_audio_paths(store: Path, scene_id: str, raw: np.ndarray) -> tuple[Path, Path, Path]:
    recipe = f"{_AUDIO_FORMAT}|{MIX_RATE}|{_TP_AIM}|{_AAC_BITRATE}|{TARGET_LUFS}".encode()
    key = hashlib.sha256(raw.astype("<f4").tobytes() + recipe).hexdigest()[:16]
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
    loudness, lowered = _encode_full_track(full_wav, work_dir / "narration.m4a")
    scene_audio = [part.m4a for part in parts]
    if lowered:  # the scenes were cut from the louder track: cut them again, uncached
        scene_audio = [
            encode_aac(full_wav, work_dir / f"{scene.id}.m4a", start_sample=start, n_samples=n)
            for scene, (start, n) in zip(timeline.scenes, spans, strict=True)
        ]
    return Narration(work_dir / "narration.m4a", tuple(scene_audio), loudness)


def assemble_outputs(
    timeline: Timeline,
    clips: Sequence[Path],
    narration: Narration,
    numbers: NumbersLedger,
    staging: Path,
    name: str,
    work_dir: Path,
    *,
    jobs: int | None = None,
) -> AssembledOutputs:
    """Write every output of a render into ``staging`` from the silent clips and narration.

    Parameters
    ----------
    timeline
        The video's timeline.
    clips
        One silent clip per scene of ``timeline``, in order, each exactly as long as the scene.
    narration
        The encoded narration (see :func:`prepare_narration`).
    numbers
        The checked ledger, written as ``numbers.json`` by its own serialiser.
    staging
        Where the outputs go with their final relative names.
    name
        The script's name: ``<name>.mp4``, ``<name>.srt``, ``<name>.vtt``.
    work_dir
        Scratch space (the concat list and chapter metadata).
    jobs
        Clips muxed at once; default the number of cores.
    """
    clip_dir = staging / "clips"
    clip_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        muxed = [
            pool.submit(
                mux_clip, silent, audio, clip_dir / f"{scene.chapter:02d}-{scene.id}.mp4",
                title=scene.title,
            )
            for scene, silent, audio in zip(timeline.scenes, clips, narration.scenes, strict=True)
        ]  # fmt: skip
        written = [future.result() for future in muxed]

    chapters = [
        Chapter(scene.title, scene.start, scene.start + scene.duration) for scene in timeline.scenes
    ]
    metadata = write_chapters(chapters, work_dir / "chapters.txt", title=timeline.title)
    video = concat_video(clips, narration.full, metadata, staging / f"{name}.mp4", work_dir)

    srt = staging / f"{name}.srt"
    srt.write_text(to_srt(timeline), encoding="utf-8")
    vtt = staging / f"{name}.vtt"
    vtt.write_text(to_vtt(timeline), encoding="utf-8")
    timeline_json = staging / "timeline.json"
    timeline.write_json(timeline_json)
    numbers_json = numbers.write_json(staging / "numbers.json", timeline.sentence, timeline.focus)
    return AssembledOutputs(
        video, tuple(written), (srt, vtt), timeline_json, numbers_json, narration.loudness
    )
