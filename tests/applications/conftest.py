"""Fixtures for the application tests: the shipped model, loaded once."""

from __future__ import annotations

import pytest

from bounceback.nlp.analyzer import Analyzer


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """The shipped models, loaded once."""
    return Analyzer.load()
