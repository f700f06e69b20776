"""Tiny random Hugging Face model folders (BERT and GPT-2), built deterministically from a seed.

Needs numpy, safetensors and tokenizers only (never torch). Each writer fills a folder with a
``config.json``, a ``model.safetensors`` whose tensor names and shapes are exactly those of
transformers' ``BertModel`` / ``GPT2Model`` state dict, and a ``tokenizer.json``; the folders
load with ``transformers.BertModel.from_pretrained`` / ``GPT2Model.from_pretrained``, which is
how ``make_reference_fixture.py`` computes the reference outputs that the tests read.

The weights are drawn as ``rng.random()`` doubles (PCG64's bits, a stream numpy keeps stable),
mapped by exact IEEE arithmetic to a uniform law of the wanted standard deviation and rounded to
float32, so the tensor values are bit-identical on every machine and numpy version (a normal
draw would go through ``log``/``exp``, whose last bits may differ between libms). The files are
byte-identical for the same seed wherever the same safetensors and tokenizers versions write
them; :func:`tensor_digest` hashes the tensors alone, independent of those writers' versions.

Imports of safetensors and tokenizers are deferred into the functions, so that collecting this
module (pytest ``--doctest-modules``) needs numpy only.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

# --- the tiny BERT's WordPiece vocabulary: ids are the line numbers of vocab.txt ---------------
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
BERT_WORDS = [
    ".", ",", "'", "!", "?",
    "the", "a", "it", "was", "too", "big", "small", "on", "in", "of", "and",
    "cat", "dog", "sat", "mat", "river", "bank", "flood", "rain", "play", "run", "fit",
    "trophy", "suitcase", "because", "didn", "t", "un", "believ",
    "##ed", "##ing", "##s", "##er", "##ly", "##ably", "##believ", "##n",
]  # fmt: skip
"""Whole words and ``##`` continuation pieces: "flooded" -> flood ##ed, "dogs" -> dog ##s."""

# --- the tiny GPT-2's byte-level BPE: words that become one token each ---------------------------
GPT2_WORDS_AFTER_SPACE = [
    "the", "cat", "sat", "on", "mat", "river", "bank", "flood", "rain", "dog", "was", "big",
]  # fmt: skip
"""Merged with their leading space ("Ġthe"): the form every word but a text's first takes."""
GPT2_WORDS_AT_START = ["The", "A"]
"""Merged without a leading space: a text's first word (no prefix space is added, as in GPT-2)."""
GPT2_SUFFIXES = ["ed", "ing"]
"""Merged last, so a whole-word merge always wins: "Ġflooded" -> "Ġflood" "ed"."""
GPT2_END_OF_TEXT = "<|endoftext|>"

CONFIG_INDENT = 2


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], std: float) -> np.ndarray:
    """Uniform float32 values of mean 0 and standard deviation ``std``, bit-reproducible."""
    half_width = std * float(np.sqrt(3.0))  # a uniform law on [-w, w] has std w / sqrt(3)
    return ((rng.random(shape) * 2.0 - 1.0) * half_width).astype(np.float32)


def _near_one(rng: np.random.Generator, size: int) -> np.ndarray:
    """LayerNorm gains: 1 plus small uniform noise, float32."""
    return (1.0 + _uniform(rng, (size,), 0.1).astype(np.float64)).astype(np.float32)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=CONFIG_INDENT, sort_keys=True) + "\n", encoding="utf-8")


def _write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    from safetensors.numpy import save_file

    # transformers refuses a safetensors file whose metadata does not name its format
    save_file(tensors, str(path), metadata={"format": "pt"})


def tensor_digest(path: Path) -> str:
    """The sha256 of a safetensors file's tensors (sorted names, dtypes, shapes, raw bytes).

    Unlike the file's own sha256, this does not depend on the safetensors writer's version.
    """
    from safetensors.numpy import load_file

    tensors = load_file(str(path))
    digest = hashlib.sha256()
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}\n".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------ BERT
def bert_parameters(
    rng: np.random.Generator,
    *,
    vocab_size: int,
    hidden: int,
    layers: int,
    intermediate: int,
    positions: int,
    type_vocab: int,
) -> dict[str, np.ndarray]:
    """BertModel's state dict: Linear weights in PyTorch's (out, in) layout, float32."""
    params: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": _uniform(rng, (vocab_size, hidden), 0.2),
        "embeddings.position_embeddings.weight": _uniform(rng, (positions, hidden), 0.2),
        "embeddings.token_type_embeddings.weight": _uniform(rng, (type_vocab, hidden), 0.2),
        "embeddings.LayerNorm.weight": _near_one(rng, hidden),
        "embeddings.LayerNorm.bias": _uniform(rng, (hidden,), 0.1),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            params[f"{p}attention.self.{name}.weight"] = _uniform(rng, (hidden, hidden), 0.2)
            params[f"{p}attention.self.{name}.bias"] = _uniform(rng, (hidden,), 0.1)
        params[f"{p}attention.output.dense.weight"] = _uniform(rng, (hidden, hidden), 0.2)
        params[f"{p}attention.output.dense.bias"] = _uniform(rng, (hidden,), 0.1)
        params[f"{p}attention.output.LayerNorm.weight"] = _near_one(rng, hidden)
        params[f"{p}attention.output.LayerNorm.bias"] = _uniform(rng, (hidden,), 0.1)
        params[f"{p}intermediate.dense.weight"] = _uniform(rng, (intermediate, hidden), 0.2)
        params[f"{p}intermediate.dense.bias"] = _uniform(rng, (intermediate,), 0.1)
        params[f"{p}output.dense.weight"] = _uniform(rng, (hidden, intermediate), 0.2)
        params[f"{p}output.dense.bias"] = _uniform(rng, (hidden,), 0.1)
        params[f"{p}output.LayerNorm.weight"] = _near_one(rng, hidden)
        params[f"{p}output.LayerNorm.bias"] = _uniform(rng, (hidden,), 0.1)
    params["pooler.dense.weight"] = _uniform(rng, (hidden, hidden), 0.2)
    params["pooler.dense.bias"] = _uniform(rng, (hidden,), 0.1)
    return params


def bert_tokenizer_json() -> str:
    """The tiny BERT's tokenizer.json: lowercasing WordPiece with [CLS] ... [SEP], no padding."""
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece

    vocab = {token: i for i, token in enumerate(BERT_SPECIALS + BERT_WORDS)}
    tokenizer = Tokenizer(WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tokenizer.add_special_tokens(BERT_SPECIALS)
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    return str(tokenizer.to_str(pretty=True))


def write_tiny_bert(folder: Path, seed: int = 0) -> Path:
    """Write a 2-layer, 4-head, 16-wide random BERT (config, weights, tokenizer) into ``folder``.

    Returns the folder. The same seed gives the same files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tokens = BERT_SPECIALS + BERT_WORDS
    config: dict[str, Any] = {
        "architectures": ["BertModel"],
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": 16,
        "initializer_range": 0.02,
        "intermediate_size": 32,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": 32,
        "model_type": "bert",
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "type_vocab_size": 2,
        "vocab_size": len(tokens),
    }
    rng = np.random.default_rng(seed)
    params = bert_parameters(
        rng,
        vocab_size=config["vocab_size"],
        hidden=config["hidden_size"],
        layers=config["num_hidden_layers"],
        intermediate=config["intermediate_size"],
        positions=config["max_position_embeddings"],
        type_vocab=config["type_vocab_size"],
    )
    _write_json(folder / "config.json", config)
    _write_safetensors(folder / "model.safetensors", params)
    (folder / "tokenizer.json").write_text(bert_tokenizer_json(), encoding="utf-8")
    (folder / "vocab.txt").write_text("".join(t + "\n" for t in tokens), encoding="utf-8")
    return folder


# ----------------------------------------------------------------------------------------- GPT-2
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's map from each byte to a printable character (the byte-level BPE alphabet)."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars = list(printable)
    shift = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            chars.append(256 + shift)
            shift += 1
    return dict(zip(printable, (chr(c) for c in chars), strict=True))


def gpt2_vocab_and_merges() -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The tiny GPT-2's BPE: 256 byte symbols (GPT-2's order), one merge chain per word, suffixes.

    Each word is built left to right ("Ġ"+"t", "Ġt"+"h", "Ġth"+"e"); the merged symbols take the
    ids after the byte alphabet, in merge order, and ``<|endoftext|>`` takes the last id.
    """
    alphabet = bytes_to_unicode()
    vocab: dict[str, int] = {alphabet[b]: i for i, b in enumerate(alphabet)}
    merges: list[tuple[str, str]] = []
    space = alphabet[ord(" ")]  # "Ġ"
    words = [space + w for w in GPT2_WORDS_AFTER_SPACE] + GPT2_WORDS_AT_START + GPT2_SUFFIXES
    for word in words:
        for end in range(2, len(word) + 1):
            left, right = word[: end - 1], word[end - 1]
            if word[:end] not in vocab:
                merges.append((left, right))
                vocab[word[:end]] = len(vocab)
    vocab[GPT2_END_OF_TEXT] = len(vocab)
    return vocab, merges


def gpt2_tokenizer_json() -> str:
    """The tiny GPT-2's tokenizer.json: byte-level BPE, no prefix space, no special tokens added."""
    from tokenizers import AddedToken, Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import BPE

    vocab, merges = gpt2_vocab_and_merges()
    tokenizer = Tokenizer(BPE(vocab, merges, unk_token=None, fuse_unk=False))
    tokenizer.add_special_tokens([AddedToken(GPT2_END_OF_TEXT, special=True)])
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    tokenizer.decoder = decoders.ByteLevel()
    return str(tokenizer.to_str(pretty=True))


def gpt2_parameters(
    rng: np.random.Generator,
    *,
    vocab_size: int,
    hidden: int,
    layers: int,
    inner: int,
    positions: int,
) -> dict[str, np.ndarray]:
    """GPT2Model's state dict: Conv1D weights in the (in, out) layout (x @ W + b), float32."""
    params: dict[str, np.ndarray] = {
        "wte.weight": _uniform(rng, (vocab_size, hidden), 0.2),
        "wpe.weight": _uniform(rng, (positions, hidden), 0.2),
    }
    for i in range(layers):
        p = f"h.{i}."
        params[f"{p}ln_1.weight"] = _near_one(rng, hidden)
        params[f"{p}ln_1.bias"] = _uniform(rng, (hidden,), 0.1)
        params[f"{p}attn.c_attn.weight"] = _uniform(rng, (hidden, 3 * hidden), 0.2)
        params[f"{p}attn.c_attn.bias"] = _uniform(rng, (3 * hidden,), 0.1)
        params[f"{p}attn.c_proj.weight"] = _uniform(rng, (hidden, hidden), 0.2)
        params[f"{p}attn.c_proj.bias"] = _uniform(rng, (hidden,), 0.1)
        params[f"{p}ln_2.weight"] = _near_one(rng, hidden)
        params[f"{p}ln_2.bias"] = _uniform(rng, (hidden,), 0.1)
        params[f"{p}mlp.c_fc.weight"] = _uniform(rng, (hidden, inner), 0.2)
        params[f"{p}mlp.c_fc.bias"] = _uniform(rng, (inner,), 0.1)
        params[f"{p}mlp.c_proj.weight"] = _uniform(rng, (inner, hidden), 0.2)
        params[f"{p}mlp.c_proj.bias"] = _uniform(rng, (hidden,), 0.1)
    params["ln_f.weight"] = _near_one(rng, hidden)
    params["ln_f.bias"] = _uniform(rng, (hidden,), 0.1)
    return params


def write_tiny_gpt2(folder: Path, seed: int = 0) -> Path:
    """Write a 2-layer, 4-head, 16-wide random GPT-2 (config, weights, tokenizer) into ``folder``.

    ``n_inner`` is null as in GPT-2's own config, meaning 4 * n_embd = 64. Returns the folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    vocab, _ = gpt2_vocab_and_merges()
    end_of_text = vocab[GPT2_END_OF_TEXT]
    config: dict[str, Any] = {
        "activation_function": "gelu_new",
        "architectures": ["GPT2Model"],
        "attn_pdrop": 0.1,
        "bos_token_id": end_of_text,
        "embd_pdrop": 0.1,
        "eos_token_id": end_of_text,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05,
        "model_type": "gpt2",
        "n_embd": 16,
        "n_head": 4,
        "n_inner": None,
        "n_layer": 2,
        "n_positions": 32,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.1,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "vocab_size": len(vocab),
    }
    rng = np.random.default_rng(seed)
    params = gpt2_parameters(
        rng,
        vocab_size=config["vocab_size"],
        hidden=config["n_embd"],
        layers=config["n_layer"],
        inner=4 * config["n_embd"],
        positions=config["n_positions"],
    )
    _write_json(folder / "config.json", config)
    _write_safetensors(folder / "model.safetensors", params)
    (folder / "tokenizer.json").write_text(gpt2_tokenizer_json(), encoding="utf-8")
    return folder
