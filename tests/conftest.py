"""Shared fixtures: the real raw directory and the real build cache (built once, reused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import config
from geo.atlas import Atlas
from geo.build.pipeline import build


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return config.raw_dir()


@pytest.fixture(scope="session")
def cache_dir(raw_dir: Path) -> Path:
    cache = config.cache_dir()
    build(raw_dir, cache, progress=lambda _msg: None)
    return cache


@pytest.fixture(scope="session")
def atlas(cache_dir: Path) -> Atlas:
    return Atlas(cache_dir)
