"""Shared pieces for the engine tests: pure data, no app or database."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine import Audience, Flow, load_flow

FLOWS = Path(__file__).parent / "flows"


@pytest.fixture(scope="session")
def branching() -> Flow:
    return load_flow(FLOWS / "branching.yaml")


@pytest.fixture
def sam() -> Audience:
    return Audience(variant="standard", channel="web", language="en", fields={"first_name": "Sam"})
