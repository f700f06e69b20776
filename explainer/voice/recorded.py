"""Recorded voices: the user's own takes, one WAV per beat, played as recorded."""

from __future__ import annotations

import hashlib
import shutil
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from explainer.core.errors import VoiceError

__all__ = ["RecordedVoice"]


@dataclass(frozen=True)
class RecordedVoice:
    """The user's own recordings: ``<directory>/<scene id>/<beat id>.wav``, one per beat.

    Examples
    --------
    >>> RecordedVoice(Path("takes")).name
    'recorded:takes'
    >>> try:
    ...     RecordedVoice(Path("takes")).recording("tokens", "split")
    ... except VoiceError as error:
    ...     print(str(error).split(";")[0])
    beat tokens/split: recording takes/tokens/split.wav does not exist
    """

    directory: Path
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", f"recorded:{self.directory}")

    def recording(self, scene_id: str, beat_id: str) -> Path:
        """The recording of one beat; VoiceError naming the expected path if absent."""
        path = self.directory / scene_id / f"{beat_id}.wav"
        if not path.is_file():
            raise VoiceError(
                f"beat {scene_id}/{beat_id}: recording {path} does not exist; "
                "record the beat and save it there as WAV"
            )
        return path

    def check(self) -> None:
        if not self.directory.is_dir():
            raise VoiceError(
                f"recordings directory {self.directory} does not exist; create it with one "
                "<scene id>/<beat id>.wav per beat"
            )

    def cache_key(self, scene_id: str, beat_id: str) -> dict[str, str]:
        digest = hashlib.sha256(self.recording(scene_id, beat_id).read_bytes()).hexdigest()
        return {"engine": "recorded", "recording": digest}

    def synthesize(self, text: str, out_wav: Path, *, scene_id: str, beat_id: str) -> None:
        shutil.copyfile(self.recording(scene_id, beat_id), out_wav)

    def session(self) -> AbstractContextManager[None]:
        return nullcontext()
