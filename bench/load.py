"""Load on a real server: N concurrent sessions open the map, change a filter, click a site; uploads and memory.

Starts ``streamlit run app.py`` on a free port of 127.0.0.1 (nothing else is contacted: every
request that leaves 127.0.0.1 is blocked and counted as an error) and drives Debian's Chromium
with Playwright. In one run it measures:

1. one session alone (the baseline), then ``--sessions`` (default 20) at once; each session opens
   ``/map``, waits until every footprint is drawn, picks "Vanguard" in the Programme filter and
   waits until the map shows the vanguards only, then clicks a footprint and waits for its details
   (the viewer in ``bench/viewer.py``, shared with ``bench/replicas.py``). Printed: p50/p95 of each
   step, errors, and the
   server's CPU seconds (``/proc/PID/stat``) and resident memory (``VmRSS``) per session, the
   concurrent figure beside the single session's.
2. memory: ``--uploads`` (default 5) sessions upload distinct ``--rows``-row lists (default
   10,000) to "Geocode a list" at once and wait for the result; then they close, and the server's
   RSS is printed before, at the peak and once the sessions have ended. Streamlit keeps a closed
   session for ``server.disconnectedSessionTTL`` seconds (default 120) in case the tab reconnects,
   so the bench waits that long plus a margin (``--settle``), opens one more short session (the
   store drops expired sessions when it next changes), waits ``--trim-wait`` seconds (the app
   returns freed memory to the system every 30 s, ``ui/memory.py``) and takes the last reading.

3. stopping: a ``--stop-rows``-row list (default 50,000) geocoded with its tab open, then one
   whose tab is closed a second into geocoding: the server CPU used after the close shows
   whether the work stopped (Streamlit stops a closed session's script at its next element
   update, which the progress bar provides between chunks).

4. a hostile upload (issue 20): a list of ``--hostile-cells`` cells of 131,072 characters in the
   shapes that made patterns backtrack (38 fill the 5 MB limit; the audit's file had 2), and a
   second later a second user's 10-row list. Printed: how long the second user waited (target:
   within the page's 60 s budget), how long the hostile list took, and ``/_stcore/health``'s
   answer times meanwhile, polled every 0.2 s (target: under 1 s, every time).

``--server-root DIR`` serves another checkout (e.g. a git worktree of main with its own built
cache in DIR/.cache) for a baseline in the same conditions; ``--only hostile`` runs section 4 alone.

    .venv/bin/python bench/load.py [--sessions 20] [--uploads 5] [--rows 10000] [--settle 135] [--stop-rows 50000]
                                   [--hostile-cells 38] [--server-root DIR] [--only hostile]

The browsers share the machine's cores with the server, so the latencies include the browsers'
own work; the CPU figures are the server process's only.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.viewer import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    STEP_TIMEOUT_MS,
    cpu_seconds,
    footprint_counts,
    free_port,
    guarded_context,
    map_session,
    pct,
    rss_mb,
)
from geo.atlas import open_atlas  # noqa: E402
from geo.build.static_assets import install_static  # noqa: E402


def start_server(port: int, log_path: Path, root: Path = ROOT) -> subprocess.Popen:
    """The atlas in ``root`` as scripts/run.sh serves it (serve.py; app.py in an older checkout)."""
    install_static()
    env = {k: v for k, v in os.environ.items() if k not in ("ATLAS_TILES", "ATLAS_TILES_ATTR")}
    if root != ROOT:
        env["ATLAS_CACHE_DIR"] = str(root / ".cache")
    log = log_path.open("w")
    script = "serve.py" if (root / "serve.py").is_file() else "app.py"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return proc
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"streamlit did not start; see {log_path}")


async def upload_session(browser, base: str, path: Path) -> str:
    outside: list[str] = []
    context = await guarded_context(browser, outside)
    try:
        tab = await context.new_page()
        tab.set_default_timeout(STEP_TIMEOUT_MS)
        await tab.goto(f"{base}/geocode")
        await tab.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        await tab.get_by_role("button", name="geocoded (CSV)").wait_for()
        return "exception shown on the page" if await tab.locator('[data-testid="stException"]').count() else ""
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    finally:
        await context.close()


async def closed_early(browser, base: str, path: Path, after_s: float) -> None:
    """Upload a list and close the tab ``after_s`` seconds later, mid-geocoding."""
    context = await guarded_context(browser, [])
    tab = await context.new_page()
    await tab.goto(f"{base}/geocode")
    await tab.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    await tab.get_by_text("Geocoded").first.wait_for(timeout=STEP_TIMEOUT_MS)  # the progress bar is up
    await asyncio.sleep(after_s)
    await context.close()


async def until_idle(pid: int, limit_s: float = 60.0) -> tuple[float, float]:
    """Server CPU seconds used, and seconds taken, until it is idle (under 10% of a core for 1 s)."""
    cpu0, started = cpu_seconds(pid), time.perf_counter()
    last = cpu0
    while time.perf_counter() - started < limit_s:
        await asyncio.sleep(1.0)
        now = cpu_seconds(pid)
        if now - last < 0.1:
            break
        last = now
    return cpu_seconds(pid) - cpu0, time.perf_counter() - started


def site_list(atlas, rows: int, seed: int) -> str:
    """A varied list: area names, organisation names, near-misses and made-up names."""
    rnd = random.Random(seed)
    names = list(atlas.lsoas["ccg_name"].unique()) + list(atlas.lsoas["lad_name"].unique())
    names += list(atlas.register["name"].dropna().sample(3000, random_state=seed))
    lines = ["site_name,my_id,status"]
    for i in range(rows):
        name = rnd.choice(names) + rnd.choice(["", " pilot", " partnership", f" {rnd.randint(1, 9999)}"])
        lines.append(f"\"{name}\",{seed}-{i},mine")
    return "\n".join(lines) + "\n"


#: Shapes of a cell that made the name patterns backtrack (issue 20): head, repeated unit.
HOSTILE_SHAPES = [("x ", "and "), ("", "<"), ("x ", ", "), ("Health in ", "&"), ("", "(a"), ("", "care ")]
CELL_CHARS = 131_072


def hostile_list(cells: int) -> str:
    """A site list of ``cells`` cells of the cell limit's length, in the hostile shapes in turn."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["site_name"])
    for i in range(cells):
        head, unit = HOSTILE_SHAPES[i % len(HOSTILE_SHAPES)]
        writer.writerow([(head + unit * (CELL_CHARS // len(unit) + 1))[:CELL_CHARS - 1] + "y"])
    return out.getvalue()


def health_times(base: str, stop: threading.Event) -> list[float]:
    """/_stcore/health's answer times, asked every 0.2 s until ``stop`` is set (a thread of its own)."""
    times = []
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=120) as reply:
                reply.read()
        except OSError:
            times.append(float("inf"))
            continue
        times.append(time.perf_counter() - started)
        stop.wait(0.2)
    return times


async def timed_upload(browser, base: str, path: Path, delay: float = 0.0) -> tuple[float, str]:
    await asyncio.sleep(delay)
    started = time.perf_counter()
    error = await upload_session(browser, base, path)
    return time.perf_counter() - started, error


async def beside_another_list(browser, base: str, first: Path, mine: Path) -> dict:
    """``first`` uploaded, and a second later a second user's ``mine`` from a browser of their own (so their
    wait is the server's, not their browser's drawing the other list): the times, and health meanwhile."""
    stop = threading.Event()
    polling = asyncio.get_running_loop().run_in_executor(None, health_times, base, stop)
    other = await browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        (took, error), (waited, mine_error) = await asyncio.gather(
            timed_upload(browser, base, first), timed_upload(other, base, mine, delay=1.0))
    finally:
        await other.close()
        stop.set()
    health = await polling
    return {"took": took, "error": error, "waited": waited, "mine_error": mine_error, "health": health}


def beside_line(label: str, run: dict) -> str:
    ok_wait = "ok" if run["waited"] <= 60 and not run["mine_error"] else "MISSED"
    ok_health = "ok" if max(run["health"]) < 1 else "MISSED"
    errors = "".join(f", error: {e}" for e in (run["error"], run["mine_error"]) if e)
    return (f"  {label:44} geocoded in {run['took']:5.1f} s | the second user's list waited {run['waited']:5.1f} s "
            f"(within the 60 s budget: {ok_wait}) | /_stcore/health p50 {pct(run['health'], .5):.3f} s, "
            f"p95 {pct(run['health'], .95):.3f} s, max {max(run['health']):.3f} s (< 1 s: {ok_health}){errors}")


async def hostile_section(browser, base: str, cells: int) -> None:
    """The hostile upload beside a second user's short list; and, for comparison on the same server and
    machine load, an ordinary list of as many rows."""
    with tempfile.TemporaryDirectory() as tmp:
        hostile, ordinary, mine = Path(tmp) / "hostile.csv", Path(tmp) / "ordinary.csv", Path(tmp) / "mine.csv"
        hostile.write_text(hostile_list(cells), encoding="utf-8")
        names = ["Wirral", "Leeds", "Kent County Council", "Salford", "Atlantis"]
        ordinary.write_text("site_name\n" + "\n".join(names[i % 5] + f" {i}" for i in range(cells)) + "\n")
        mine.write_text("site_name\n" + "\n".join(names * 2) + "\n", encoding="utf-8")
        warm = await upload_session(browser, base, ordinary)  # the server's geocoder is loaded once, on first use
        print(f"a second user uploads a 10-row list 1 s after another list{', warm-up: ' + warm if warm else ''}:")
        print(beside_line(f"after an ordinary list of {cells} rows", await beside_another_list(
            browser, base, ordinary, mine)))
        size = hostile.stat().st_size / 1e6
        print(beside_line(f"after {cells} hostile cells ({size:.2f} MB)", await beside_another_list(
            browser, base, hostile, mine)))


def streamlit_memory(base: str) -> str:
    """What Streamlit says it holds (``/_stcore/metrics``): cache bytes by kind, sessions."""
    request = urllib.request.Request(f"{base}/_stcore/metrics", headers={"Accept": "text/plain"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            text = reply.read().decode()
    except OSError as exc:
        return f"metrics unavailable ({exc})"
    kinds: dict[str, float] = {}
    other = []
    for line in text.splitlines():
        if line.startswith("cache_memory_bytes{"):
            label = line.split('cache_type="', 1)[1].split('"', 1)[0] if 'cache_type="' in line else "?"
            kinds[label] = kinds.get(label, 0) + float(line.rsplit(" ", 1)[1])
        elif line.startswith("session") and not line.startswith("#"):
            other.append(line)
    parts = [f"{k} {v / 1e6:.1f} MB" for k, v in sorted(kinds.items())]
    return "Streamlit holds: " + (", ".join(parts) or "no cache bytes") + ("; " + "; ".join(other[:6]) if other else "")


async def run_sessions(browser, base: str, n: int, total: int, vanguards: int, pid: int) -> dict:
    cpu0 = cpu_seconds(pid)
    started = time.perf_counter()
    results = await asyncio.gather(*(map_session(browser, base, total, vanguards) for _ in range(n)))
    return {"n": n, "results": results, "cpu": cpu_seconds(pid) - cpu0, "wall": time.perf_counter() - started,
            "rss": rss_mb(pid)}


def report(run: dict) -> str:
    ok = [r for r in run["results"] if not r["error"]]
    errors = [r["error"] for r in run["results"] if r["error"]]
    opens = [r["open"] for r in ok]
    changes = [r["filter"] for r in ok]
    clicks = [r["click"] for r in ok]
    line = (f"{run['n']:>3} session(s): open map p50 {pct(opens, .5):5.2f} s p95 {pct(opens, .95):5.2f} s | "
            f"filter change p50 {pct(changes, .5):5.2f} s p95 {pct(changes, .95):5.2f} s | "
            f"site click p50 {pct(clicks, .5):5.2f} s p95 {pct(clicks, .95):5.2f} s | errors {len(errors)} | "
            f"server CPU {run['cpu']:6.2f} s = {run['cpu'] / run['n']:5.2f} s per session | wall {run['wall']:5.1f} s "
            f"(server busy {run['cpu'] / run['wall']:.0%} of it)"
            f" | server RSS {run['rss']:6.0f} MB") if ok else f"{run['n']} sessions: every session failed"
    return line + "".join(f"\n      error: {e}" for e in sorted(set(errors)))


async def main_async(args) -> None:
    from playwright.async_api import async_playwright

    atlas = open_atlas()
    total, vanguards = footprint_counts()
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    port = free_port()
    root = Path(args.server_root).resolve() if args.server_root else ROOT
    server = start_server(port, out / "bench-load-server.log", root)
    base = f"http://127.0.0.1:{port}"
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm = await map_session(browser, base, total, vanguards)  # first load fills the server's caches
            print(f"server {base} (pid {server.pid}, serving {root}); warm-up session: {warm['error'] or 'ok'}; "
                  f"RSS {rss_mb(server.pid):.0f} MB")
            if args.only == "hostile":
                await hostile_section(browser, base, args.hostile_cells)
                await browser.close()
                return
            print(f"each session: open /map ({total} footprints), pick Vanguard ({vanguards} footprints), "
                  "click a site (bench/viewer.py)")
            single = await run_sessions(browser, base, 1, total, vanguards, server.pid)
            print("baseline " + report(single))
            many = await run_sessions(browser, base, args.sessions, total, vanguards, server.pid)
            print("load     " + report(many))
            per_one, per_many = single["cpu"], many["cpu"] / args.sessions
            print(f"server CPU per session: {per_many:.2f} s with {args.sessions} at once v {per_one:.2f} s alone "
                  f"(x{per_many / per_one if per_one else float('nan'):.2f})")

            if args.uploads:
                with tempfile.TemporaryDirectory() as tmp:
                    first = rss_mb(server.pid)
                    for round_ in range(1, args.rounds + 1):
                        paths = []
                        for i in range(args.uploads):
                            path = Path(tmp) / f"list-{round_}-{i}.csv"
                            path.write_text(site_list(atlas, args.rows, seed=100 * round_ + i), encoding="utf-8")
                            paths.append(path)
                        before = rss_mb(server.pid)
                        cpu0 = cpu_seconds(server.pid)
                        started = time.perf_counter()
                        errors = await asyncio.gather(*(upload_session(browser, base, p) for p in paths))
                        peak = rss_mb(server.pid)
                        took = time.perf_counter() - started
                        print(f"round {round_}: {args.uploads} concurrent uploads of {args.rows:,} rows: {took:.1f} s, "
                              f"errors {sum(1 for e in errors if e)}, server CPU {cpu_seconds(server.pid) - cpu0:.1f} s"
                              + "".join(f"\n      error: {e}" for e in sorted({e for e in errors if e})))
                        print(f"  server RSS before the uploads {before:.0f} MB, when they finished {peak:.0f} MB; "
                              f"waiting {args.settle:.0f} s for Streamlit to drop the closed sessions...", flush=True)
                        for _ in range(int(args.settle // 15)):
                            await asyncio.sleep(15)
                        await asyncio.sleep(args.settle % 15)
                        # Streamlit drops expired sessions when its session store next changes: one more
                        # short session (as on any server in use) lets it do so.
                        await map_session(browser, base, total, vanguards)
                        await asyncio.sleep(args.trim_wait)  # the app returns freed memory every 30 s
                        after = rss_mb(server.pid)
                        print(f"  server RSS once the upload sessions ended: {after:.0f} MB "
                              f"({after - before:+.0f} MB this round, {after - first:+.0f} MB in all; "
                              "target within 100 MB)")
                    print("  " + streamlit_memory(base))
            if args.hostile_cells:
                await hostile_section(browser, base, args.hostile_cells)
            if args.stop_rows:
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / "long.csv"
                    path.write_text(site_list(atlas, args.stop_rows, seed=99), encoding="utf-8")
                    cpu0, started = cpu_seconds(server.pid), time.perf_counter()
                    error = await upload_session(browser, base, path)
                    full = cpu_seconds(server.pid) - cpu0
                    print(f"a {args.stop_rows:,}-row list geocoded with its tab open: server CPU {full:.1f} s, "
                          f"{time.perf_counter() - started:.1f} s{', error: ' + error if error else ''}")
                    path.write_text(site_list(atlas, args.stop_rows, seed=98), encoding="utf-8")  # not cached
                    cpu0 = cpu_seconds(server.pid)
                    await closed_early(browser, base, path, 1.0)
                    before_close = cpu_seconds(server.pid) - cpu0
                    after, took = await until_idle(server.pid)
                    print(f"the same size, tab closed 1 s into geocoding: server CPU {before_close:.1f} s before the "
                          f"close and {after:.1f} s after it (idle {took:.0f} s later)")
            await browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent map sessions (default 20)")
    parser.add_argument("--uploads", type=int, default=5, help="concurrent uploads (default 5; 0 to skip)")
    parser.add_argument("--rows", type=int, default=10_000, help="rows per uploaded list (default 10,000)")
    parser.add_argument("--trim-wait", type=float, default=35.0,
                        help="seconds between the sessions' end and the last reading (default 35: the app "
                             "returns freed memory every 30 s)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds of uploads (default 1; a second round shows whether memory is reused)")
    parser.add_argument("--stop-rows", type=int, default=50_000,
                        help="rows of the list whose tab is closed mid-geocoding (default 50,000; 0 to skip)")
    parser.add_argument("--hostile-cells", type=int, default=38,
                        help="cells of 131,072 characters in the hostile upload (default 38: 5 MB; 0 to skip)")
    parser.add_argument("--server-root", help="serve this checkout instead (a baseline, with its own .cache)")
    parser.add_argument("--only", choices=["hostile"], help="run only the hostile upload (section 4)")
    parser.add_argument("--settle", type=float, default=135.0,
                        help="seconds to wait after the uploads for the sessions to end (default 135)")
    args = parser.parse_args()
    if not 1 <= args.sessions <= 100 or not 0 <= args.uploads <= 20 or not 1 <= args.rows <= 50_000 \
            or not 0 <= args.stop_rows <= 50_000 or not 1 <= args.rounds <= 5 or not 0 <= args.hostile_cells <= 38:
        parser.error("keep --sessions within 1-100, --uploads within 0-20, --rows and --stop-rows within 50,000, "
                     "--rounds within 1-5, --hostile-cells within 0-38")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
