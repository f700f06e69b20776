"""Assembly and atomic outputs: sample-exact mix, loudness, chapters, probes, locks, faults."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from helpers import ffmpeg_loudness, write_wav

from explainer.audio.loudness import normalize
from explainer.audio.mix import MIX_RATE, AudioPlacement, mix_samples
from explainer.core.errors import ExplainerError, RenderError
from explainer.core.manifest import MANIFEST_NAME, Manifest
from explainer.core.media import probe_video_frames
from explainer.core.staging import LOCK_NAME, check_out_dir, staged_outputs
from explainer.outputs.assemble import ChapterMark, write_chapters

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


# -- mixing -----------------------------------------------------------------------------------


def test_mix_places_each_beat_on_its_frame_to_the_sample(tmp_path: Path) -> None:
    rate, fps = 24_000, 15
    ones = write_wav(tmp_path / "a.wav", np.full(1000, 0.5), rate)
    twos = write_wav(tmp_path / "b.wav", np.full(500, -0.25), rate)
    track = mix_samples([AudioPlacement(ones, 3), AudioPlacement(twos, 20)], 45, fps, rate)
    assert len(track) == 45 * rate // fps  # 3 s exactly
    nonzero = np.flatnonzero(np.abs(track) > 0.01)
    # frame 3 at 15 fps is 0.2 s = sample 4800; frame 20 is 1.333.. s = sample 32000
    assert nonzero[0] == 4800
    assert np.all(np.abs(track[4800:5800] - 0.5) < 1e-3)
    assert np.all(track[5800:32000] == 0)
    assert np.all(np.abs(track[32000:32500] + 0.25) < 1e-3)
    assert nonzero[-1] == 32499


def test_mix_resamples_a_recording_at_another_rate(tmp_path: Path) -> None:
    beat = write_wav(tmp_path / "r.wav", 0.3 * np.sin(np.arange(44_100) / 7), 44_100)
    track = mix_samples([AudioPlacement(beat, 0)], 30, 30)
    assert MIX_RATE == 48_000
    assert len(track) == 48_000
    assert np.abs(track).max() > 0.2  # one second of tone, resampled, fills the second


# 80 % of each voice's own bandwidth; resample_poly's filter is flat (0.05 dB) to 85 %
@pytest.mark.parametrize(("rate", "tone_hz"), [(32_000, 12_800), (22_050, 8_820)])
def test_a_voice_at_its_own_rate_is_mixed_without_loss(
    tmp_path: Path, rate: int, tone_hz: int
) -> None:
    # festival speaks at 32 kHz: 12.8 kHz is above what a 24 kHz mix could carry (12 kHz)
    n = rate // 2  # half a second
    tone = 0.3 * np.sin(2 * np.pi * tone_hz * np.arange(n) / rate)
    beat = write_wav(tmp_path / "beat.wav", tone, rate)
    track = mix_samples([AudioPlacement(beat, 15)], 60, 30)  # from frame 15: 0.5 s
    start, length = MIX_RATE // 2, -(-n * MIX_RATE // rate)  # ceil(n * 48000 / rate)
    assert np.all(track[:start] == 0)
    assert np.all(track[start + length :] == 0)
    assert np.abs(track[start : start + 4]).max() < 0.3, "starts on its frame's sample"
    middle = track[start + 2400 : start + length - 2400]  # 0.4 s, clear of the edges
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(len(middle))))
    peak_hz = np.argmax(spectrum) * MIX_RATE / len(middle)
    assert abs(peak_hz - tone_hz) < 5
    rms = float(np.sqrt(np.mean(middle**2)))
    assert rms == pytest.approx(0.3 / np.sqrt(2), rel=0.005), "the level is kept (0.05 dB)"


# -- loudness ---------------------------------------------------------------------------------


def _speechlike(seconds: float, rate: int, level: float) -> np.ndarray:
    """Noise bursts with pauses: a crest factor like speech's, deterministic."""
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * rate)) / rate
    envelope = (np.sin(2 * np.pi * 1.5 * t) > -0.2).astype(float) * (0.5 + 0.5 * np.sin(9 * t))
    return level * envelope * np.clip(rng.normal(0, 0.3, t.size), -1, 1)


@pytest.mark.parametrize("level", [0.02, 0.9])
def test_loudness_is_normalised_to_minus_16_with_peaks_under_minus_1(
    tmp_path: Path, level: float
) -> None:
    normalised, _ = normalize(_speechlike(8.0, 24_000, level), 24_000, -2.0)
    write_wav(tmp_path / "out.wav", normalised, 24_000)
    integrated, peak = ffmpeg_loudness(tmp_path / "out.wav")
    assert abs(integrated - (-16.0)) <= 0.5
    assert peak <= -1.0


# -- chapters and probes ----------------------------------------------------------------------


def _lavfi_video(path: Path, frames: int, fps: int = 15) -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc=size=64x48:rate={fps}", "-frames:v", str(frames),
         "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_chapter_titles_with_special_characters_survive_ffmpeg(tmp_path: Path) -> None:
    video = _lavfi_video(tmp_path / "v.mp4", 30)
    titles = ["Scores; q = k # 1", "Back\\slash"]
    meta = write_chapters(
        [ChapterMark(titles[0], 0.0, 1.0), ChapterMark(titles[1], 1.0, 2.0)], tmp_path / "m.txt"
    )
    out = tmp_path / "c.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(video), "-i", str(meta),
         "-map_chapters", "1", "-c", "copy", str(out)],
        check=True,
    )  # fmt: skip
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    chapters = json.loads(probed.stdout)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == titles
    assert [float(c["start_time"]) for c in chapters] == [0.0, 1.0]


def test_probe_counts_frames_and_catches_truncation(tmp_path: Path) -> None:
    video = _lavfi_video(tmp_path / "v.mp4", 37)
    assert probe_video_frames(video) == 37
    cut = tmp_path / "cut.mp4"
    data = video.read_bytes()
    # the index (moov) is at the end, so keep it and drop media data before it
    moov = data.rindex(b"moov") - 4
    cut.write_bytes(data[: moov // 2] + data[moov:])
    with pytest.raises(RenderError):
        probe_video_frames(cut)
    half = tmp_path / "half.mp4"
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(RenderError):
        probe_video_frames(half)
    # the index first (as the outputs are muxed, +faststart), the frames' data cut short
    fast = tmp_path / "fast.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-c", "copy", "-movflags",
                    "+faststart", str(fast)], check=True)  # fmt: skip
    short = tmp_path / "short.mp4"
    short.write_bytes(fast.read_bytes()[: fast.stat().st_size * 2 // 3])
    with pytest.raises(RenderError, match="truncated"):
        probe_video_frames(short)


# -- atomic outputs ---------------------------------------------------------------------------


def test_commit_moves_everything_into_place(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_outputs(out) as staging:
        (staging.path / "clips").mkdir()
        (staging.path / "clips" / "01-a.mp4").write_text("clip")
        (staging.path / "v.mp4").write_text("video")
        (staging.work / "scratch.wav").write_text("not an output")
        written = staging.commit(by="render v")
    assert sorted(written) == [Path("clips/01-a.mp4"), Path("v.mp4")]  # relative to out
    assert (out / "v.mp4").read_text() == "video"
    assert (out / "clips" / "01-a.mp4").read_text() == "clip"
    # the lock and the scratch folder are gone; the manifest records what was written
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST_NAME, "clips", "v.mp4"]
    assert sorted(Manifest.read(out).files) == ["clips/01-a.mp4", "v.mp4"]


def test_a_commit_with_a_key_is_found_unchanged_until_an_output_changes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_outputs(out) as staging:
        assert staging.unchanged("k1") is None  # nothing committed yet
        (staging.path / "clips").mkdir()
        (staging.path / "clips" / "01-a.mp4").write_text("clip")
        (staging.path / "v.mp4").write_text("video")
        written = staging.commit(by="render v", key="k1")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST_NAME, "clips", "v.mp4"]
    with staged_outputs(out) as staging:
        assert sorted(staging.unchanged("k1") or []) == sorted(written)
        assert staging.unchanged("k2") is None  # made from something else
    (out / "v.mp4").write_text("edited by hand")  # another size
    with staged_outputs(out) as staging:
        assert staging.unchanged("k1") is None
    (out / "v.mp4").write_text("video")  # what explainer wrote, again
    with staged_outputs(out) as staging:  # a keyless commit over a file the key vouches for
        assert staging.unchanged("k1") is not None
        (staging.path / "v.mp4").write_text("video 2")
        staging.commit(by="explorer")
        assert staging.unchanged("k1") is None
    assert Manifest.read(out).made_from is None


def test_failed_render_keeps_previous_outputs_and_cleans_up(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "v.mp4").write_text("previous good video")

    def failing_render() -> None:
        with staged_outputs(out) as staging:
            (staging.path / "v.mp4").write_text("half")
            raise RuntimeError("scene failed")

    with pytest.raises(RuntimeError, match="scene failed"):
        failing_render()
    assert (out / "v.mp4").read_text() == "previous good video"
    assert sorted(p.name for p in out.iterdir()) == ["v.mp4"]


def test_full_render_prunes_its_own_clips_of_removed_scenes_only(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_outputs(out) as staging:
        (staging.path / "clips").mkdir()
        (staging.path / "clips" / "01-a.mp4").write_text("old a")
        (staging.path / "clips" / "09-gone.mp4").write_text("old")
        (staging.path / "clips" / "08-edited.mp4").write_text("old")
        staging.commit(by="render v")
    (out / "clips" / "mine.mp4").write_text("the user's")
    (out / "clips" / "08-edited.mp4").write_text("edited by the user")
    with staged_outputs(out) as staging:
        (staging.path / "clips").mkdir()
        (staging.path / "clips" / "01-a.mp4").write_text("new")
        staging.commit(by="render v", prune=True)
    # the project's own stale clip goes; the user's file and a clip they edited stay
    assert sorted(p.name for p in (out / "clips").iterdir()) == [
        "01-a.mp4", "08-edited.mp4", "mine.mp4"
    ]  # fmt: skip
    assert (out / "clips" / "08-edited.mp4").read_text() == "edited by the user"
    assert sorted(Manifest.read(out).files) == ["clips/01-a.mp4"]  # the edited one is theirs


def test_lock_refuses_a_second_writer_and_names_the_pid(tmp_path: Path) -> None:
    def second_render() -> None:
        with staged_outputs(tmp_path):
            pass

    with staged_outputs(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text() == str(os.getpid())
        with pytest.raises(ExplainerError) as caught:
            second_render()
    assert f"(pid {os.getpid()})" in str(caught.value)
    assert not (tmp_path / LOCK_NAME).exists()  # released, and removed
    with staged_outputs(tmp_path):
        pass


def test_out_dir_problems_are_clear(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExplainerError, match="inside the file"):
        check_out_dir(blocker / "sub")
    with pytest.raises(ExplainerError, match="inside the file"):
        check_out_dir(blocker)
    with pytest.raises(ExplainerError, match="does not exist"):
        check_out_dir(tmp_path / "a" / "b")
    assert check_out_dir(tmp_path / "a" / "b", create_parents=True).is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_out_dir_is_clear(tmp_path: Path) -> None:
    locked = tmp_path / "ro"
    locked.mkdir(mode=0o500)
    with pytest.raises(ExplainerError, match="permission denied"):
        check_out_dir(locked)


def test_sigterm_leaves_previous_outputs_and_no_partial_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "v.mp4").write_text("previous good video")
    child = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from explainer.core.staging import staged_outputs
        try:
            with staged_outputs(Path({str(out)!r})) as staging:
                (staging.path / "v.mp4").write_text("half-written")
                print("ready", flush=True)
                time.sleep(60)
        except KeyboardInterrupt:
            sys.exit(130)
        """
    )
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-c", child], cwd=root, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 130
    assert (out / "v.mp4").read_text() == "previous good video"
    assert sorted(p.name for p in out.iterdir()) == ["v.mp4"]


def test_a_keyless_commit_of_other_files_keeps_the_outputs_up_to_date(tmp_path: Path) -> None:
    # the lecture exports are committed beside a render: the render stays a no-op after them
    out = tmp_path / "out"
    with staged_outputs(out) as staging:
        (staging.path / "v.mp4").write_text("video")
        written = staging.commit(by="render v", key="k1")
    with staged_outputs(out) as staging:
        (staging.path / "slides").mkdir()
        (staging.path / "slides" / "index.html").write_text("<html></html>")
        staging.commit(by="lecture v", prune=True)
    with staged_outputs(out) as staging:
        assert staging.unchanged("k1") == written


def test_a_kept_mux_is_copied_a_damaged_one_made_again_and_four_are_kept(tmp_path: Path) -> None:
    from explainer.outputs.assemble import _mux_or_reuse, mux_clip

    cache, video = tmp_path / "muxed", _lavfi_video(tmp_path / "v.mp4", 15)
    audio = tmp_path / "a.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                    "-c:a", "aac", str(audio)], check=True)  # fmt: skip
    fresh = mux_clip(video, audio, tmp_path / "fresh.mp4", title="Tokens")
    first, second = tmp_path / "first.mp4", tmp_path / "second.mp4"
    _mux_or_reuse(cache, "recipe", "tokens", video, audio, first, "Tokens")
    (kept,) = cache.glob("tokens-*.mp4")
    kept.write_bytes(b"damaged")  # its recorded SHA-256 no longer matches: muxed again
    _mux_or_reuse(cache, "recipe", "tokens", video, audio, second, "Tokens")
    assert first.read_bytes() == second.read_bytes() == fresh.read_bytes() == kept.read_bytes()
    for n in range(5):  # five other titles: five more entries, the newest four kept
        _mux_or_reuse(cache, "recipe", "tokens", video, audio, tmp_path / f"{n}.mp4", f"T{n}")
    assert len(list(cache.glob("tokens-*.mp4"))) == len(list(cache.glob("tokens-*.json"))) == 4
