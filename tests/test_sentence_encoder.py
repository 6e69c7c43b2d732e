"""The all-MiniLM-L6-v2 sentence encoder (bot/nlu/encoder_files.py, bot/nlu/sentence_encoder.py).

- the installed files are the pinned ones, and a tampered or missing file is refused
  with an error naming it (temp copies; the installed package is never touched);
- the TF embedding equals a reference computed in plain numpy from the safetensors
  weights (a BERT forward pass written out here, then sentence-transformers' mean
  pooling over the attention mask and L2 normalisation), batched and padded or not;
- paraphrases are closer than unrelated sentences, norms are 1, no retracing;
- the Rasa component gives each message one 384-wide SENTENCE feature and no token
  features, the same in training (batched) as at inference;
- SafeLogisticRegressionClassifier scales the dense columns by `dense_weight`.

The model is built once for the module (get_encoder caches it per process).
"""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from bot.nlu.encoder_files import (
    EXPECTED_SHA256,
    EncoderChecksumError,
    locate_model_archive,
    read_verified_files,
)

ROOT = Path(__file__).resolve().parents[1]

PARAPHRASES = [
    ("where is my refund", "has my money been returned yet"),
    ("my server has been down since 2pm", "the ECS instance stopped responding this afternoon"),
]
UNRELATED = [
    ("where is my refund", "the ECS instance stopped responding this afternoon"),
    ("my server has been down since 2pm", "has my money been returned yet"),
]


@pytest.fixture(scope="module")
def files() -> dict:
    return read_verified_files()


@pytest.fixture(scope="module")
def encoder():
    from bot.nlu.sentence_encoder import get_encoder

    return get_encoder()


@pytest.fixture(scope="module")
def weights(files) -> dict:
    from safetensors.numpy import load

    return load(files["model.safetensors"])


@pytest.fixture(scope="module")
def extracted(tmp_path_factory, files) -> Path:
    """A temp directory holding genuine copies of the three files."""
    directory = tmp_path_factory.mktemp("minilm")
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


def _tampered_dir(tmp_path: Path, extracted: Path, files: dict, bad: str) -> Path:
    target = tmp_path / f"bad-{bad}"
    target.mkdir()
    for name in files:
        if name == bad:
            data = bytearray(files[name])
            data[len(data) // 2] ^= 0x01  # one bit
            (target / name).write_bytes(bytes(data))
        else:
            (target / name).symlink_to(extracted / name)
    return target


# --- files and checksums ---------------------------------------------------------------

def test_package_zip_is_found_through_importlib_and_matches_the_pins(files):
    archive = locate_model_archive()
    assert archive.name == "model.zip" and "site-packages" in archive.parts
    assert archive.parent.name == "all_minilm_l6_v2"
    assert set(files) == set(EXPECTED_SHA256)


def test_genuine_copy_in_a_directory_passes(extracted):
    assert set(read_verified_files(extracted)) == set(EXPECTED_SHA256)


@pytest.mark.parametrize("bad", sorted(EXPECTED_SHA256))
def test_a_changed_file_is_refused_by_name(tmp_path, extracted, files, bad):
    source = _tampered_dir(tmp_path, extracted, files, bad)
    with pytest.raises(EncoderChecksumError, match=rf"^{bad} in .* has sha256 [0-9a-f]{{64}}, expected {EXPECTED_SHA256[bad]}"):
        read_verified_files(source)


def test_a_missing_file_is_refused_by_name(tmp_path, extracted):
    (tmp_path / "model.safetensors").symlink_to(extracted / "model.safetensors")
    (tmp_path / "config.json").symlink_to(extracted / "config.json")
    with pytest.raises(EncoderChecksumError, match=r"^tokenizer\.json: missing"):
        read_verified_files(tmp_path)


def test_a_tampered_zip_fails_the_component_load_and_the_make_step(tmp_path, files):
    from bot.nlu.sentence_encoder import MiniLMEncoder

    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as out:
        for name, data in files.items():
            out.writestr(name, data if name != "tokenizer.json" else data.replace(b"[UNK]", b"[UNX]", 1))
    with pytest.raises(EncoderChecksumError, match=r"^tokenizer\.json in .*model\.zip"):
        MiniLMEncoder(archive)
    run = subprocess.run(
        [sys.executable, "-m", "bot.nlu.encoder_files", "--path", str(archive)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 1
    assert "FAILED: tokenizer.json" in run.stderr


# --- numpy reference ---------------------------------------------------------------------

def _layer_norm(x, gamma, beta, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _numpy_bert(w: dict, ids) -> np.ndarray:
    """Last hidden state of BERT (config.json: 6 layers, 12 heads, 384 wide, exact GELU)."""
    from scipy.special import erf

    ids = np.asarray(ids)
    x = (w["embeddings.word_embeddings.weight"][ids]
         + w["embeddings.position_embeddings.weight"][: len(ids)]
         + w["embeddings.token_type_embeddings.weight"][0])
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    heads, width = 12, 384 // 12

    def dense(h, name):
        return h @ w[f"{name}.weight"].T + w[f"{name}.bias"]

    for layer in range(6):
        p = f"encoder.layer.{layer}."
        q, k, v = (dense(x, p + f"attention.self.{n}").reshape(len(ids), heads, width).transpose(1, 0, 2)
                   for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(width)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ v
        context = context.transpose(1, 0, 2).reshape(len(ids), heads * width)
        x = _layer_norm(dense(context, p + "attention.output.dense") + x,
                        w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        hidden = dense(x, p + "intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + erf(hidden / np.sqrt(2.0)))
        x = _layer_norm(dense(hidden, p + "output.dense") + x,
                        w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    return x


def _pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers: Pooling(mean over the attention mask) then Normalize."""
    mask = mask[..., None].astype(hidden.dtype)
    mean = (hidden * mask).sum(-2) / np.maximum(mask.sum(-2), 1e-9)
    return mean / np.maximum(np.linalg.norm(mean, axis=-1, keepdims=True), 1e-12)


def test_tokenizer_is_the_uncased_wordpiece_one(encoder):
    ids, mask = encoder.tokenize(["Where is my REFUND?"])
    assert ids[0, :mask[0].sum()].tolist() == [101, 2073, 2003, 2026, 25416, 8630, 1029, 102]
    assert ids.shape[1] == 8  # padded to the smallest bucket


def test_embeddings_equal_a_plain_numpy_forward_pass_and_pooling(encoder, weights):
    texts = ["where is my refund",
             "my ECS was down yesterday from 2 till 3:35pm, what do I get",
             "hi"]
    got = encoder.encode(texts)  # one padded batch
    for text, vector in zip(texts, got, strict=True):
        ids = encoder.tokenizer.encode(text).ids
        reference = _pool(_numpy_bert(weights, ids), np.ones(len(ids)))
        np.testing.assert_allclose(vector, reference, atol=2e-5)


def test_pooling_uses_the_attention_mask_only(encoder):
    texts = ["refund pls", "can you tell me how the compensation for an outage of my database is worked out"]
    hidden, mask = encoder.last_hidden_state(texts)
    assert mask[0].sum() < mask.shape[1]  # the short one is padded
    np.testing.assert_allclose(encoder.encode(texts), _pool(hidden, mask), atol=1e-5)
    # padding never changes a message's embedding
    alone = encoder.encode(texts[:1])
    np.testing.assert_allclose(alone[0], encoder.encode(texts)[0], atol=1e-5)


def test_unit_norm_and_paraphrases_closer_than_unrelated(encoder):
    pairs = PARAPHRASES + UNRELATED
    left = encoder.encode([a for a, _ in pairs])
    right = encoder.encode([b for _, b in pairs])
    np.testing.assert_allclose(np.linalg.norm(left, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(right, axis=1), 1.0, atol=1e-5)
    cos = (left * right).sum(1)
    close, far = cos[: len(PARAPHRASES)], cos[len(PARAPHRASES):]
    assert close.min() > far.max() + 0.15, cos


def test_shapes_and_no_retracing(encoder):
    assert encoder.encode([]).shape == (0, 384)
    long_text = " ".join(["refund"] * 400)  # truncated at 256 word pieces
    for batch in (["a"], ["a", "bb " * 20], [long_text], ["x"] * 70):
        out = encoder.encode(batch, batch_size=32)
        assert out.shape == (len(batch), 384) and out.dtype == np.float32
    assert encoder._embed.experimental_get_tracing_count() == 1


# --- Rasa component ----------------------------------------------------------------------

def _featurizer(**config):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.resource import Resource

    from bot.nlu.sentence_encoder import SentenceEncoderFeaturizer

    context = ExecutionContext(GraphSchema({}), node_name="run_SentenceEncoderFeaturizer0")
    return SentenceEncoderFeaturizer.create(
        {**SentenceEncoderFeaturizer.get_default_config(), "alias": "minilm", **config},
        model_storage=None, resource=Resource("minilm"), execution_context=context,
    )


def test_component_sets_one_sentence_feature_per_message(encoder):
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    featurizer = _featurizer()
    messages = [Message(data={TEXT: "where is my refund"}), Message(data={TEXT: "   "}), Message(data={})]
    featurizer.process(messages)
    sequence, sentence = messages[0].get_dense_features(TEXT)
    assert sequence is None
    assert sentence.features.shape == (1, 384)
    [own] = messages[0].features
    assert own.origin == "minilm" and own.is_dense() and own.type == "sentence"
    np.testing.assert_allclose(sentence.features[0], encoder.encode(["where is my refund"])[0], atol=1e-6)
    for blank in messages[1:]:
        assert blank.get_dense_features(TEXT) == (None, None)


def test_component_training_batches_give_the_same_features(encoder):
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    texts = ["refund pls", "my server was down for three hours, what do I get", "hello", "is the hotline open now"]
    data = TrainingData([Message(data={TEXT: t, INTENT: "x"}) for t in texts])
    _featurizer(batch_size=3).process_training_data(data)
    for message, text in zip(data.training_examples, texts, strict=True):
        single = Message(data={TEXT: text})
        _featurizer().process([single])
        np.testing.assert_allclose(message.get_dense_features(TEXT)[1].features,
                                   single.get_dense_features(TEXT)[1].features, atol=1e-5)


def test_component_refuses_a_tampered_model_path(tmp_path, extracted, files):
    source = _tampered_dir(tmp_path, extracted, files, "config.json")
    with pytest.raises(EncoderChecksumError, match=r"^config\.json in "):
        _featurizer(model_path=str(source))


def test_classifier_scales_only_the_dense_columns():
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from scipy.sparse import coo_matrix

    from bot.nlu.classifiers import SafeLogisticRegressionClassifier

    message = Message(data={TEXT: "x"})
    message.add_features(Features(coo_matrix(np.array([[2.0, 0.0, 1.0]])), "sentence", TEXT, "cv"))
    message.add_features(Features(np.array([[0.6, 0.8]]), "sentence", TEXT, "minilm"))
    context = ExecutionContext(GraphSchema({}), node_name="lr")
    for weight, expected in ((1.0, [2, 0, 1, 0.6, 0.8]), (5.0, [2, 0, 1, 3.0, 4.0])):
        classifier = SafeLogisticRegressionClassifier.create(
            {"dense_weight": weight}, None, Resource("lr"), context)
        np.testing.assert_allclose(classifier._create_X([message]).toarray()[0], expected)
