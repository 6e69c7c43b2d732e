"""Build the project's own spaCy 3.4 pipeline: blank English + CJK-aware tokenizer + entity ruler.

Pretrained spaCy models cannot be downloaded here, so the assistant ships its own:
- the tokenizer splits Chinese text into single characters and keeps identifiers
  ("ecs-abcdef12", "RF-7KQ2M9") whole, so "我想退款CS2611240001" gives tokens
  我/想/退/款/CS2611240001 and entities can be annotated inside Chinese sentences;
- an entity ruler tags products (codes and synonyms), the identifier patterns and the
  unambiguous billing/invoice/resource_state/scenario phrases from
  data/nlu/entities.yml, deterministically (generic words such as "no" or "down" are
  left to the learned CRF, which sees their context).

`python -m bot.nlu.spacy_pipeline --out models/spacy_assurance` is idempotent: it skips
the build when the saved pipeline's fingerprint (this file + entities.yml + spaCy
version) matches.
"""
from __future__ import annotations

import argparse
import re
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import List, cast

from importlib.metadata import version
from typing import TYPE_CHECKING

from bot.nlu.patterns import ENTITIES_FILE, id_patterns, product_phrases, value_phrases

#: CJK ideographs, CJK punctuation and full-width forms: one token per character.
CJK = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
FINGERPRINT_KEY = "assurance_fingerprint"
#: Identifier prefixes followed by a hyphen (ARCHITECTURE.md "Identifiers").
ID_PREFIXES = ("ecs", "evs", "obs", "rds", "cdn", "vpc", "elb", "RF", "CP", "IR", "TK")

if TYPE_CHECKING:  # spaCy (and the TensorFlow it drags in) loads only when building
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer


def fingerprint() -> str:
    """Hash of everything the built pipeline depends on."""
    digest = hashlib.sha256()
    digest.update(Path(__file__).read_bytes())
    digest.update(ENTITIES_FILE.read_bytes())
    digest.update(version("spacy").encode())
    return digest.hexdigest()


def build() -> "Language":
    """Create the blank pipeline with the custom tokenizer rules and the entity ruler."""
    import spacy
    from spacy.pipeline import EntityRuler
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    nlp = spacy.blank("en")
    # Language.tokenizer is annotated as any Callable[[str], Doc]; spacy.blank builds
    # spaCy's own Tokenizer, whose rule attributes are set here.
    tokenizer = cast("Tokenizer", nlp.tokenizer)
    defaults = nlp.Defaults
    prefixes, suffixes, default_infixes = defaults.prefixes, defaults.suffixes, defaults.infixes
    if prefixes is None or suffixes is None or default_infixes is None:
        raise RuntimeError("spaCy's English defaults lack the prefix/suffix/infix rules extended here")
    tokenizer.prefix_search = compile_prefix_regex([CJK, *prefixes]).search
    tokenizer.suffix_search = compile_suffix_regex([*suffixes, CJK]).search
    # Infix splits are not re-checked against token_match, so the default hyphen rule
    # must not fire inside "ecs-abcdef12" or "RF-KQ2M9X" when they sit inside a longer
    # chunk ("，ecs-abcdef12也要"): guard every default infix with the ID prefixes.
    guard = "".join(f"(?<!{prefix})" for prefix in ID_PREFIXES)
    infixes = [CJK, *(f"{guard}(?:{p})" for p in default_infixes)]
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    ids = id_patterns()
    tokenizer.token_match = re.compile(
        "^(?:" + "|".join(f"(?:{p})" for p in ids.values()) + ")$"
    ).match
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "validate": True})
    if not isinstance(ruler, EntityRuler):  # add_pipe is typed to return any pipe
        raise RuntimeError(f"the 'entity_ruler' factory built a {type(ruler).__name__}, not an EntityRuler")
    patterns: List[dict] = []
    for text, code in sorted(product_phrases().items()):
        patterns.append({"label": "product", "pattern": text, "id": code})
    for text, (entity, canonical) in sorted(value_phrases().items()):
        patterns.append({"label": entity, "pattern": text, "id": canonical})
    for entity, regex in ids.items():
        patterns.append({"label": entity, "pattern": [{"TEXT": {"REGEX": f"^(?:{regex})$"}}]})
    ruler.add_patterns(patterns)
    nlp.meta["name"] = "assurance"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Blank English + CJK-aware tokenizer + product/ID entity ruler"
    return nlp


def is_up_to_date(out: Path) -> bool:
    """True when out holds a pipeline built from the current sources."""
    meta = out / "meta.json"
    if not meta.is_file():
        return False
    try:
        return json.loads(meta.read_text()).get(FINGERPRINT_KEY) == fingerprint()
    except (OSError, ValueError):
        return False


def write(out: Path, force: bool = False) -> bool:
    """Build and save to out (atomically replaced); returns False when skipped."""
    if not force and is_up_to_date(out):
        return False
    nlp = build()
    nlp.meta[FINGERPRINT_KEY] = fingerprint()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".spacy_build_", dir=out.parent))
    try:
        nlp.to_disk(tmp)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return True


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="models/spacy_assurance", type=Path)
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    built = write(args.out, force=args.force)
    took = time.perf_counter() - started
    state = "built" if built else "up to date, skipped"
    print(f"spaCy pipeline {args.out}: {state} ({took:.2f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
