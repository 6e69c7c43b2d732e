"""Build Rasa NLU training data from the TRAIN splits of two public datasets.

    python scripts/public_training_data.py [--out data/nlu/public] [--check]

Sources (committed under tests/data/, see the SOURCE.md files there):
- CLINC150 (Larson et al. 2019, CC BY 3.0): tests/data/clinc150/train.json
  -> out_of_scope (all of `oos_train` plus about 2 train utterances from each CLINC intent
     that has nothing to do with a cloud provider's after-sales service), greet, goodbye,
     thank, bot_challenge;
- Banking77 (Casanueva et al. 2020, CC BY 4.0): tests/data/banking77/train.csv
  -> request_refund, refund_status.

Only train splits are read for training lines. The test splits (CLINC `test`/`oos_test`,
Banking77 test.csv), the project's held-out splits tests/nlu/test_nlu.yml and
tests/nlu/fresh/ and the hand-written data/nlu files are read only to drop any line that
also occurs there (compared after `normalize`). The output is deterministic (fixed seeds,
sorted inputs; a colliding line is replaced by the next one of its pool, the rest stays);
`--check` exits 1 when the committed files differ from a fresh run.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CLINC_DIR = DATA / "clinc150"
BANKING_DIR = DATA / "banking77"
OUT_DIR = ROOT / "data" / "nlu" / "public"
#: The project's own training data (duplicates of it are dropped, so no line gets two labels).
PROJECT_TRAIN_DIR = ROOT / "data" / "nlu"
#: The project's held-out splits a generated line must never appear in. The blind splits
#: (tests/nlu/blind*/) are deliberately not read here: they are frozen and not to be used;
#: test_nlu_components.test_held_out_split_shares_no_example_with_training_data checks them.
PROJECT_HELD_OUT = (
    ROOT / "tests" / "nlu" / "test_nlu.yml",
    ROOT / "tests" / "nlu" / "fresh" / "test_nlu_fresh.yml",
)

SEED = 20190
OOS_CAP = 350            # out_of_scope total (oos_train + sampled in-scope CLINC lines)
OOS_PER_INTENT = 2       # sampled train lines per unrelated CLINC intent
SMALLTALK_N = 40         # per small-talk intent
#: Small-talk lines need at least this many words. The hand-written data/nlu/smalltalk.yml
#: covers the short stock phrases ("hi there", "thanks again"); those are also the lines an
#: independently written held-out split repeats verbatim, which the project's hygiene test
#: (test_held_out_split_shares_no_example_with_training_data) forbids for new training lines.
SMALLTALK_MIN_WORDS = 4
REFUND_N = 120           # per Banking77 refund intent (the train split has about 130 of each)

#: CLINC intent -> our intent (these are NOT out of scope for us).
CLINC_SMALLTALK: Dict[str, str] = {
    "greeting": "greet",
    "goodbye": "goodbye",
    "thank_you": "thank",
    "are_you_a_bot": "bot_challenge",
}

#: CLINC intents kept out of out_of_scope because their utterances mean something our
#: assistant handles (or could be read so in a cloud after-sales chat). Reviewed by hand
#: against data/nlu/*.yml.
CLINC_NOT_OOS: Dict[str, str] = {
    # conversation control / answers our dialogue handles
    "yes": "affirm",
    "no": "deny",
    "maybe": "half an affirm/deny answer",
    "cancel": "stop ('never mind, cancel that')",
    "repeat": "conversation control, not an off-topic request",
    "what_can_i_ask_you": "'what can you help me with' is on-topic",
    "change_language": "the assistant is bilingual; 'answer in Chinese' is a fair request",
    # questions about the assistant itself, next to bot_challenge ('who am I talking to')
    "who_made_you": "next to bot_challenge",
    "who_do_you_work_for": "next to bot_challenge / who runs the service",
    "what_is_your_name": "next to bot_challenge; 'what should I call you' vs the hotline",
    # money/account topics that can be a cloud account, order, refund or reward question
    "account_blocked": "a frozen/suspended cloud account is an after-sales question",
    "freeze_account": "'freeze/block my account' can be a cloud account",
    "report_fraud": "an unrecognised charge leads to a refund or billing-error claim",
    "order_status": "'what's going on with my order' can be a cloud order/refund",
    "application_status": "'has my application gone through' can be an ICP filing",
    "redeem_rewards": "rewards vocabulary of the ICP filing reward",
    "rewards_balance": "rewards vocabulary of the ICP filing reward",
    "make_call": "phone-call vocabulary of ask_hotline",
}

#: Banking77 category (compared case-insensitively: upstream writes `Refund_not_showing_up`)
#: -> our intent.
BANKING_MAP: Dict[str, str] = {
    "request_refund": "request_refund",
    "refund_not_showing_up": "refund_status",
}

_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def normalize(text: str) -> str:
    """Comparison key: case-folded, punctuation removed, whitespace collapsed.

    Stricter than a verbatim case-insensitive match (it also catches 'Refund?' vs 'refund')."""
    return " ".join(_WORD.sub(" ", text.casefold()).split())


def clean(text: str) -> str:
    """One training line: single-spaced, stripped; '' when unusable in Rasa's YAML format."""
    line = " ".join(str(text).split())
    # '[' / ']' would be read as Markdown entity annotations, a leading '-' or '#' is fine in
    # a block scalar but confuses readers; drop rather than escape.
    if not line or "[" in line or "]" in line or line.startswith(("-", "#")):
        return ""
    return line


def load_clinc(split_file: Path) -> Dict[str, List[Tuple[str, str]]]:
    """{split: [(text, label)]} from the committed CLINC150 JSON."""
    raw = json.loads(split_file.read_text(encoding="utf-8"))
    return {key: [(str(t), str(l)) for t, l in rows] for key, rows in raw.items()}


def load_banking(split_file: Path) -> List[Tuple[str, str]]:
    """[(text, category lower-cased)] from a Banking77 CSV."""
    with split_file.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["category"].lower()) for row in csv.DictReader(handle)]


def rasa_examples(path: Path) -> List[str]:
    """Example texts of a Rasa NLU YAML file (plain scan, no Rasa import; annotations kept)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("- ") and not stripped.startswith(("- intent:", "- synonym:", "- regex:", "- lookup:")):
            out.append(stripped[2:])
    return out


def strip_annotations(text: str) -> str:
    """'refund [ECS](product)' -> 'refund ECS' (Markdown entity syntax removed)."""
    return re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", text)


def public_test_texts() -> Set[str]:
    """Normalised texts of the public test splits (CLINC test/oos_test, Banking77 test)."""
    texts: Set[str] = set()
    clinc_test = load_clinc(CLINC_DIR / "test.json")
    for key in ("test", "oos_test"):
        texts.update(normalize(t) for t, _ in clinc_test[key])
    texts.update(normalize(t) for t, _ in load_banking(BANKING_DIR / "test.csv"))
    return texts


def project_held_out_texts() -> Set[str]:
    """Normalised texts of the project's held-out splits in PROJECT_HELD_OUT."""
    return {
        normalize(strip_annotations(t))
        for path in PROJECT_HELD_OUT if path.is_file()
        for t in rasa_examples(path)
    }


def project_train_texts() -> Set[str]:
    """Normalised texts of the project's own training data (data/nlu/**/*.yml except public/)."""
    return {
        normalize(strip_annotations(t))
        for path in sorted(PROJECT_TRAIN_DIR.rglob("*.yml"))
        if OUT_DIR not in path.parents
        for t in rasa_examples(path)
    }


class Picker:
    """Draws lines deterministically, never the same (normalised) line twice.

    Each pool is shuffled once with its own seed (SEED + pool name) and read in that order,
    skipping lines that are banned or already used. A line added to data/nlu or to a
    held-out split therefore replaces only the generated line it collides with: the rest
    of the output stays the same."""

    def __init__(self, stable_ban: Set[str], project_ban: Set[str], seed: int = SEED) -> None:
        self.stable_ban = set(stable_ban)     # public test splits, ambiguous lines
        self.project_ban = set(project_ban)   # project training data and held-out splits
        self.used: Set[str] = set()
        self.seed = seed

    def rng(self, name: str) -> random.Random:
        """A generator of its own for one pool (str seeds are hashed with SHA-512: stable)."""
        return random.Random(f"{self.seed}:{name}")

    def take(self, name: str, texts: Iterable[str], n: int, min_words: int = 1) -> List[str]:
        """Up to n lines from texts, in the pool's fixed shuffled order; marks them used."""
        pool, seen = [], set()
        for text in sorted(set(texts)):
            line = clean(text)
            key = normalize(line)
            if len(key.split()) < min_words:
                continue
            if line and key and key not in self.stable_ban and key not in seen:
                seen.add(key)
                pool.append((key, line))
        self.rng(name).shuffle(pool)
        chosen = []
        for key, line in pool:
            if len(chosen) == n:
                break
            if key in self.project_ban or key in self.used:
                continue
            self.used.add(key)
            chosen.append(line)
        return chosen


def build() -> Dict[str, Dict[str, List[str]]]:
    """{output file name: {intent: [lines]}} from the train splits."""
    clinc = load_clinc(CLINC_DIR / "train.json")
    banking = load_banking(BANKING_DIR / "train.csv")
    by_intent: Dict[str, List[str]] = {}
    for text, label in clinc["train"]:
        by_intent.setdefault(label, []).append(text)
    unknown = (set(CLINC_SMALLTALK) | set(CLINC_NOT_OOS)) - set(by_intent)
    if unknown:
        raise SystemExit(f"unknown CLINC intents in the mapping: {sorted(unknown)}")

    # A CLINC line that occurs under two labels is ambiguous; never use it.
    labels_of: Dict[str, Set[str]] = {}
    for text, label in clinc["train"]:
        labels_of.setdefault(normalize(text), set()).add(label)
    ambiguous = {k for k, v in labels_of.items() if len(v) > 1}

    picker = Picker(public_test_texts() | ambiguous, project_held_out_texts() | project_train_texts())
    clinc_out: Dict[str, List[str]] = {}
    for source, ours in CLINC_SMALLTALK.items():
        clinc_out[ours] = picker.take(f"clinc:{source}", by_intent[source], SMALLTALK_N, SMALLTALK_MIN_WORDS)

    oos = picker.take("clinc:oos_train", [t for t, _ in clinc["oos_train"]], len(clinc["oos_train"]))
    unrelated = [i for i in sorted(by_intent) if i not in CLINC_SMALLTALK and i not in CLINC_NOT_OOS]
    # OOS_PER_INTENT each, except that a fixed (seeded) choice of intents gives one line
    # fewer so that out_of_scope stays at OOS_CAP.
    excess = max(len(oos) + OOS_PER_INTENT * len(unrelated) - OOS_CAP, 0)
    fewer = set(picker.rng("clinc:oos_cap").sample(unrelated, min(excess, len(unrelated))))
    sampled: List[str] = []
    for intent in unrelated:
        sampled.extend(picker.take(f"clinc:{intent}", by_intent[intent], OOS_PER_INTENT - (intent in fewer)))
    clinc_out["out_of_scope"] = oos + sampled

    banking_out: Dict[str, List[str]] = {}
    for category, ours in BANKING_MAP.items():
        banking_out[ours] = picker.take(f"banking77:{category}", [t for t, c in banking if c == category], REFUND_N)
    return {"clinc150.yml": clinc_out, "banking77.yml": banking_out}


HEADERS = {
    "clinc150.yml": (
        "CLINC150 (https://github.com/clinc/oos-eval, data/data_full.json), TRAIN splits only\n"
        "#   (train, oos_train); Larson et al. 2019, 'An Evaluation Dataset for Intent\n"
        "#   Classification and Out-of-Scope Prediction'.\n"
        "# Licence: CC BY 3.0 (Clinc, Inc.). Details and licence text: tests/data/clinc150/SOURCE.md"
    ),
    "banking77.yml": (
        "Banking77 (https://github.com/PolyAI-LDN/task-specific-datasets, banking_data/train.csv),\n"
        "#   TRAIN split only; Casanueva et al. 2020, 'Efficient Intent Detection with Dual\n"
        "#   Sentence Encoders'. Card-purchase refund wording kept as-is.\n"
        "# Licence: CC BY 4.0 (PolyAI). Details and licence text: tests/data/banking77/SOURCE.md"
    ),
}


def render(name: str, intents: Dict[str, List[str]]) -> str:
    """Rasa 3.x NLU YAML text for one output file."""
    counts = ", ".join(f"{intent} {len(lines)}" for intent, lines in intents.items())
    parts = [
        "# GENERATED by scripts/public_training_data.py (seed %d) - do not edit; rerun the script." % SEED,
        "# Source: " + HEADERS[name],
        "# Lines that occur in any test split (CLINC test/oos_test, Banking77 test, tests/nlu held-out",
        "#   splits) or in the hand-written data/nlu files are dropped. Examples: " + counts + ".",
        'version: "3.1"',
        "nlu:",
    ]
    for intent, lines in intents.items():
        parts.append(f"- intent: {intent}")
        parts.append("  examples: |")
        parts.extend(f"    - {line}" for line in lines)
    return "\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(OUT_DIR), help="output directory")
    parser.add_argument("--check", action="store_true", help="exit 1 if the files differ from a fresh build")
    args = parser.parse_args(argv)
    out = Path(args.out)
    stale = []
    for name, intents in build().items():
        text = render(name, intents)
        path = out / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"{path}: " + ", ".join(f"{i} {len(v)}" for i, v in intents.items()))
    if stale:
        print("stale (rerun scripts/public_training_data.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
