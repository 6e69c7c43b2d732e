"""The assistant's domain as Rasa merges it from domain/ (one file per dialog plus
common.yml), for tests that check names against it: any one file holds only a part."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

DOMAIN_DIR = Path(__file__).resolve().parents[1] / "domain"


@lru_cache(maxsize=1)
def domain_dict() -> Dict[str, Any]:
    """`Domain.load(domain/).as_dict()`, loaded once per test run (read it, don't change it)."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(DOMAIN_DIR)).as_dict()
