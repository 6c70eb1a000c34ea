"""One viewer of the atlas, as the load benches drive it: open the map, change a filter, click a site.

Shared by ``bench/load.py`` (one server) and ``bench/replicas.py`` (replicas behind the proxy), so both
measure the same thing. Every request that leaves 127.0.0.1 is blocked and counted as an error.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FOLIUM = 'iframe[title="streamlit_folium.st_folium"]'
TICKS = os.sysconf("SC_CLK_TCK")
STEP_TIMEOUT_MS = 180_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


async def guarded_context(browser, outside: list[str]):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})

    async def guard(route):
        url = route.request.url
        if urlparse(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            outside.append(url)
            await route.abort()

    await context.route("**/*", guard)
    return context


async def wait_for_footprints(tab, count: int) -> None:
    paths = tab.frame_locator(FOLIUM).locator("path.atlas-footprint")
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while await paths.count() != count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"map shows {await paths.count()} footprints, expected {count}")
        await asyncio.sleep(0.2)


async def view_map(tab, base: str, total: int, vanguards: int, out: dict) -> None:
    """The viewer's three steps on an open tab, each timed into ``out`` (seconds)."""
    started = time.perf_counter()
    await tab.goto(f"{base}/map")
    await wait_for_footprints(tab, total)
    out["open"] = time.perf_counter() - started
    started = time.perf_counter()
    await tab.get_by_role("combobox", name="Programme").click()
    await tab.get_by_role("option", name="Vanguard").click()
    await tab.keyboard.press("Escape")
    await wait_for_footprints(tab, vanguards)
    out["filter"] = time.perf_counter() - started
    started = time.perf_counter()
    await tab.frame_locator(FOLIUM).locator("path.atlas-footprint").last.click(force=True)
    await tab.get_by_text("Name as announced").wait_for()
    out["click"] = time.perf_counter() - started


async def map_session(browser, base: str, total: int, vanguards: int) -> dict:
    """Open the map, wait for every footprint, filter to vanguards, wait for the redraw, click a site."""
    outside: list[str] = []
    context = await guarded_context(browser, outside)
    out = {"open": None, "filter": None, "click": None, "error": ""}
    try:
        tab = await context.new_page()
        tab.set_default_timeout(STEP_TIMEOUT_MS)
        await view_map(tab, base, total, vanguards, out)
        if await tab.locator('[data-testid="stException"]').count():
            out["error"] = "exception shown on the page"
    except Exception as exc:  # noqa: BLE001 - every failure is counted and named
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    finally:
        await context.close()
    if outside and not out["error"]:
        out["error"] = f"reached outside 127.0.0.1: {outside[:2]}"
    return out


def footprint_counts() -> tuple[int, int]:
    """Footprints the map draws with no filter, and with Programme = Vanguard."""
    from geo.atlas import open_atlas
    from geo.geocode.bundled_sites import bundled_sites
    from geo.present import filters as flt

    frame, footprints = bundled_sites(open_atlas())
    total = sum(1 for s in frame["site_id"] if footprints.get(s))
    shown = flt.apply_filters(frame, flt.Filters(programmes=("Vanguard",)))["site_id"]
    return total, sum(1 for s in shown if footprints.get(s))
