"""`python -m bot.store migrate | seed | demo | downgrade` (the Makefile's `db` target)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.store import Store
from bot.store.__main__ import main
from bot.store.engine import dispose_engine


def test_cli_on_a_fresh_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 0
    assert main(["seed"]) == 0
    assert main(["seed"]) == 0  # twice: harmless
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "C1001 Li Wei (common, CNY)" in out and "RF-DEM001" in out
    assert len(Store(url).orders("C1001")) == 6
    assert main(["downgrade"]) == 0
    assert main(["demo"]) == 1  # no tables any more: a clear error, not a traceback
    assert "error:" in capsys.readouterr().err
    dispose_engine(url)


def test_cli_seed_on_the_test_databases(db_url: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["seed"]) == 0
    assert "seeded demo accounts" in capsys.readouterr().out
    assert Store(db_url).customer("C1005").currency == "USD"
