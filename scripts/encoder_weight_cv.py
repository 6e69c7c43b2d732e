"""dense_weight for SafeLogisticRegressionClassifier by 5-fold CV on the TRAINING data.

    .venv/bin/python scripts/encoder_weight_cv.py MODEL.tar.gz --data data/nlu --weights 0 1 4 10 20 -1

MODEL must contain the SentenceEncoderFeaturizer. Its own graph (spaCy, CountVectors
word + char, MiniLM) featurizes every intent example of --data; then a
LogisticRegression with the classifier's settings is cross-validated (stratified 5-fold,
intent level) with the dense columns multiplied by each weight. 0 = n-grams only,
-1 = embedding only. No held-out split is read (docs/NLU.md, "Sentence encoder").
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def featurize(model: str, data_dir: str):
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(data_dir)
    examples = [(m.get("text"), m.get("intent")) for m in data.intent_examples
                if m.get("text") and m.get("intent")]
    processor = Agent.load(model).processor
    [target] = [n for n in processor.model_metadata.predict_schema.nodes
                if "SentenceEncoderFeaturizer" in n]
    tracker = DialogueStateTracker("cv", [])
    sparse, dense = [], []
    for start in range(0, len(examples), 64):
        batch = [UserMessage(text) for text, _ in examples[start:start + 64]]
        out = processor.graph_runner.run(
            inputs={PLACEHOLDER_MESSAGE: batch, PLACEHOLDER_TRACKER: tracker}, targets=[target])
        for message in out[target]:
            sparse.append(message.get_sparse_features("text")[1].features.tocsr())
            dense.append(message.get_dense_features("text")[1].features)
    return examples, sparse, dense


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--data", default="data/nlu")
    parser.add_argument("--weights", nargs="+", type=float, default=[0, 1, 4, 10, 20, -1])
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from scipy.sparse import csr_matrix, hstack, vstack
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    examples, sparse, dense = featurize(args.model, args.data)
    y = np.array([intent for _, intent in examples])
    S, D = vstack(sparse).tocsr(), np.vstack(dense)
    norms = np.sqrt(np.asarray(S.multiply(S).sum(1)).ravel())
    print(f"{len(y)} examples; n-gram vector L2 norm median {np.median(norms):.1f}, "
          f"embedding norm median {np.median(np.linalg.norm(D, axis=1)):.3f}")
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for weight in args.weights:
        if weight == 0:
            X, label = S, "n-grams only"
        elif weight < 0:
            X, label = csr_matrix(D), "embedding only"
        else:
            X, label = hstack([S, csr_matrix(D * weight)]).tocsr(), f"dense_weight {weight:g}"
        predicted = np.empty(len(y), dtype=object)
        started = time.time()
        for train, test in folds.split(np.zeros(len(y)), y):
            clf = LogisticRegression(solver="lbfgs", max_iter=300, class_weight="balanced",
                                     tol=1e-4, random_state=42)
            clf.fit(X[train], y[train])
            predicted[test] = clf.predict(X[test])
        print(f"{label:18} CV accuracy {np.mean(predicted == y):.3f}  macro-F1 "
              f"{f1_score(y, predicted.astype(str), average='macro'):.3f}  ({time.time() - started:.0f} s)",
              flush=True)


if __name__ == "__main__":
    main()
