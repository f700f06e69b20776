"""Reading a llama GGUF (:mod:`attention.models.gguf`): tensors, tokenizer, cache, and bad files.

A tiny random llama written with the gguf package's own writer (``tiny_gguf.py``) stands in
for SmolLM2 here, so these tests take a second; ``test_llama.py`` checks the real file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import one_error_line
from tiny_gguf import (
    D_MODEL,
    N_HEADS,
    N_KV_HEADS,
    N_LAYERS,
    llama_cpp_permute,
    vocabulary,
    write_tiny_gguf,
)
from typer.testing import CliRunner

import attention.models.gguf
from attention.digests import file_sha256
from attention.models.gguf import load_gguf, unpermute_rows
from attention.models.llama import LlamaModel
from attention.models.model import ModelError
from explainer.cli.app import app


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    path = tmp_path / "tiny.gguf"
    return path, write_tiny_gguf(path)


def _leftovers(cache: Path) -> list[str]:
    """Anything in the cache folder besides complete entries: temporary or stale folders."""
    return (
        sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) if cache.exists() else []
    )


def test_unpermute_undoes_llama_cpp_s_permutation() -> None:
    w = np.arange(6 * 8 * 3, dtype=np.float32).reshape(48, 3)
    for heads in (1, 2, 6):
        assert np.array_equal(unpermute_rows(llama_cpp_permute(w, heads), heads), w)


def test_tensors_come_back_as_written_in_the_original_row_order(
    tiny: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, written = tiny
    weights = load_gguf(path, file_sha256(path), tmp_path / "cache")
    assert set(weights.tensors) == set(written)
    for name, value in written.items():
        assert weights.tensors[name].dtype == np.float32
        assert np.array_equal(weights.tensors[name], value), name
    s = weights.shape
    assert (s.n_layers, s.d_model, s.n_heads, s.n_kv_heads) == (
        N_LAYERS,
        D_MODEL,
        N_HEADS,
        N_KV_HEADS,
    )
    assert s.vocab_size == len(vocabulary())
    assert weights.bos_id is None  # add_bos_token false


def test_the_cache_is_written_whole_once_then_memory_mapped(
    tiny: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, written = tiny
    cache = tmp_path / "cache"
    sha = file_sha256(path)
    load_gguf(path, sha, cache)
    assert [p.name for p in cache.iterdir()] == [f"gguf-{sha}"]
    again = load_gguf(path, sha, cache)
    tensor = again.tensors["blk.1.attn_q.weight"]
    assert isinstance(tensor.base, np.memmap) or isinstance(tensor, np.memmap)
    assert np.array_equal(tensor, written["blk.1.attn_q.weight"])


def test_a_damaged_cache_is_rebuilt(
    tiny: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, written = tiny
    cache, sha = tmp_path / "cache", file_sha256(path)
    load_gguf(path, sha, cache)
    flat = cache / f"gguf-{sha}" / "weights.npy"
    flat.write_bytes(flat.read_bytes()[:-40])  # cut short, as by a full disk
    rebuilt = load_gguf(path, sha, cache)
    assert np.array_equal(rebuilt.tensors["token_embd.weight"], written["token_embd.weight"])
    assert _leftovers(cache) == []
    reread = load_gguf(path, sha, cache)
    assert np.array_equal(reread.tensors["output_norm.weight"], written["output_norm.weight"])


def test_a_cache_write_that_fails_leaves_nothing_behind(
    tiny: tuple[Path, dict[str, np.ndarray]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, written = tiny
    cache, sha = tmp_path / "cache", file_sha256(path)
    real_write = attention.models.gguf._write_cache

    def full_disk(folder: Path, weights: attention.models.gguf.LlamaWeights, digest: str) -> None:
        real_write(folder, weights, digest)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(attention.models.gguf, "_write_cache", full_disk)
    weights = load_gguf(path, sha, cache)  # still served, from memory
    assert np.array_equal(weights.tensors["blk.0.ffn_up.weight"], written["blk.0.ffn_up.weight"])
    assert list(cache.iterdir()) == []

    def crash(folder: Path, weights: attention.models.gguf.LlamaWeights, digest: str) -> None:
        (folder / "weights.npy").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(attention.models.gguf, "_write_cache", crash)
    with pytest.raises(KeyboardInterrupt):
        load_gguf(path, sha, cache)
    assert list(cache.iterdir()) == []


def test_digits_are_split_one_by_one_and_no_bos_is_added(
    tiny: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, _ = tiny
    model = LlamaModel(path, cache_dir=tmp_path / "cache")
    tokens = model.tokenize("the cat 2024")
    assert tokens.tokens == ("t", "he", " cat", " ", "2", "0", "2", "4")
    assert tokens.words == ("the", "cat", "2024")
    assert tokens.word_of == (0, 0, 1, None, 2, 2, 2, 2)
    assert model.from_ids(tokens.ids) == tokens
    assert model.tokenize("<|endoftext|> the").ids[0] == vocabulary().index("<|endoftext|>")


def _bad_files(root: Path, good: Path) -> dict[str, tuple[Path, str]]:
    """Each bad file, and what its one-line error must say."""
    root.mkdir()
    truncated = root / "truncated.gguf"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    text = root / "notes.gguf"
    text.write_text("not a model\n", encoding="utf-8")
    other = root / "gpt2.gguf"
    write_tiny_gguf(other, architecture="gpt2")
    holed = root / "holed.gguf"
    write_tiny_gguf(holed, drop="blk.1.ffn_up.weight")
    return {
        "missing": (root / "absent.gguf", "does not exist"),
        "truncated": (truncated, "cannot be read as GGUF"),
        "not a GGUF": (text, "cannot be read as GGUF"),
        "another architecture": (other, "architecture 'gpt2'; supported: 'llama'"),
        "a tensor missing": (holed, "has no tensor 'blk.1.ffn_up.weight'"),
    }


def test_bad_files_fail_in_one_line_and_write_nothing(
    tiny: tuple[Path, dict[str, np.ndarray]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = tiny
    cache = tmp_path / "cache"
    monkeypatch.setenv(attention.models.gguf.CACHE_ENV, str(cache))
    runner = CliRunner()
    for case, (bad, expected) in _bad_files(tmp_path / "bad", path).items():
        with pytest.raises(ModelError, match="^[^\n]*$") as raised:
            LlamaModel(bad)
        assert expected in str(raised.value), (case, raised.value)
        result = runner.invoke(app, ["numbers", "--model", str(bad), "--sentence", "the cat"])
        assert result.exit_code == 1, case
        line = one_error_line(result.stderr)
        assert expected in line, (case, line)
        assert str(bad) in line, (case, line)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_an_altered_file_is_refused_when_pinned(
    tiny: tuple[Path, dict[str, np.ndarray]], tmp_path: Path
) -> None:
    path, _ = tiny
    pinned = file_sha256(path)
    altered = tmp_path / "altered.gguf"
    shutil.copy(path, altered)
    data = bytearray(altered.read_bytes())
    data[-1] ^= 0x01  # one bit of the last weight: still a valid GGUF
    altered.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="not the file this model was checked with"):
        LlamaModel(altered, sha256=pinned, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
