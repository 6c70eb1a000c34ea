"""Shared fixtures: the real raw directory and build cache, and a small build of five districts.

Tests that use the full build (``cache_dir``, ``atlas``) are marked ``build``
automatically; browser tests mark themselves ``browser``. The rest is the fast tier
(``pytest -m "not build and not browser"``): it builds the real pipeline over a few districts
of the real raw data into a temporary folder, in seconds.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geo import config
from geo.atlas import Atlas
from geo.build import raw as rawfiles
from geo.build.pipeline import build

FULL_BUILD_FIXTURES = {"cache_dir", "atlas"}
#: Wirral, Salford, and Newcastle, Gateshead and Sunderland (three 2013 CCGs became 13T in 2015),
#: by 2015 code and by the name of their polygon file (which keeps Gateshead's pre-2013 code).
SMALL_DISTRICTS = {"E08000015": "E08000015", "E08000006": "E08000006", "E08000021": "E08000021",
                   "E08000037": "E08000020", "E08000024": "E08000024"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if FULL_BUILD_FIXTURES & set(getattr(item, "fixturenames", ())) and "browser" not in item.keywords:
            item.add_marker(pytest.mark.build)


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


def make_small_raw(real: Path, dest: Path, districts: dict[str, str] = SMALL_DISTRICTS) -> Path:
    """A raw directory of a few districts: the LSOA lookup and polygons cut down, the rest linked."""
    for path in real.rglob("*"):
        rel = path.relative_to(real)
        if path.is_dir() or rel.parts[0] == rawfiles.LSOA_POLYGONS or str(rel) == rawfiles.LSOA_LOOKUP:
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).symlink_to(path)
    (dest / rawfiles.LSOA_POLYGONS).mkdir(parents=True)
    for name in districts.values():
        (dest / rawfiles.LSOA_POLYGONS / f"{name}.json").symlink_to(real / rawfiles.LSOA_POLYGONS / f"{name}.json")
    with open(real / rawfiles.LSOA_LOOKUP, newline="", encoding="utf-8") as src, \
            open(dest / rawfiles.LSOA_LOOKUP, "w", newline="", encoding="utf-8") as out:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(out, reader.fieldnames)
        writer.writeheader()
        writer.writerows(row for row in reader if row["LAD15CD"] in districts)
    return dest


@pytest.fixture(scope="session")
def small_raw(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_small_raw(raw_dir, tmp_path_factory.mktemp("small_raw"))


@pytest.fixture(scope="session")
def small_cache(small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real build over five districts of the real raw data (a few seconds)."""
    cache = tmp_path_factory.mktemp("small_cache")
    build(small_raw, cache, progress=lambda _msg: None, expected_lsoas=None)
    return cache


@pytest.fixture(scope="session")
def small_atlas(small_cache: Path) -> Atlas:
    return Atlas(small_cache)


def imd_recount(raw: Path, population: dict[str, int]) -> dict[str, object]:
    """England's deprivation profile counted afresh from the raw IoD2015 file (its deciles and ranks, read with
    the csv module, not the build's reader) and the residents of each LSOA: exact shares, not rounded."""
    people = [0] * 6
    weighted_rank = 0
    with open(raw / rawfiles.IMD_2015, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            residents = population[row["lsoa11_code"]]
            people[(int(row["IMD_decile"]) + 1) // 2] += residents
            weighted_rank += int(row["IMD_rank"]) * residents
    total = sum(people)
    return {"residents": total, "shares": {f: people[f] / total * 100 for f in range(1, 6)},
            "percentile": (weighted_rank / total - 0.5) / 32_844 * 100}


@pytest.fixture(scope="session")
def england_imd(raw_dir: Path, atlas: Atlas) -> dict[str, object]:
    """England's deprivation recounted from the raw file, with the atlas's mid-2015 residents per LSOA."""
    return imd_recount(raw_dir, atlas.lsoas["population"].to_dict())
