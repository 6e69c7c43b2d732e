"""Blind end-to-end conversation suite (see suite.py and expectations.py)."""
