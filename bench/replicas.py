"""Replicas behind the proxy: viewers served per second with 1 and N replicas, CPU per viewer, failover.

Starts the real deployment (``bash scripts/replicas.sh K`` on a free port: Streamlit replicas behind
nginx) for K = 1 and then ``--replicas`` (default 2), and drives the viewer of ``bench/load.py``
(``bench/viewer.py``: open the map, change a filter, click a site) at rising concurrency. Printed:

1. **CPU per viewer**: the viewer in Chromium, one at a time, and the CPU seconds used meanwhile by the
   replicas, nginx and the supervisor; with ``--baseline DIR`` (a checkout of the code before, for
   example ``git worktree add /tmp/atlas-main main``) also by that code's single ``streamlit run``, as the
   atlas was served before, alternately in the same run.
2. **Throughput**: on this 2-core machine a Chromium viewer costs several times the server's CPU, so
   browsers cannot load a server on the same cores. So the viewer is recorded once in Chromium (every
   HTTP request and every websocket message the page sends) and replayed by light clients that make the
   same requests, open the websocket with the same handshake and send the same messages, each waiting
   for the server to finish its run (the server's work per viewer is the same; its CPU per replayed
   viewer is printed beside the browser's to show it). At each ``--levels`` concurrency: replayed viewers
   served per second, p50/p95 time until the map is ready (page, scripts, map data and first run done)
   and server CPU per viewer; while the level runs, one Chromium viewer measures time to a painted map.
   Then the ratio N replicas / 1 replica at the level where 1 replica saturates.
3. **Failover**: a filtered map open in Chromium; its replica is killed (SIGKILL). Printed: seconds until
   the page is usable again (rerun by another replica, same footprints, the filter still in the address,
   the notice shown) and until a filter change is served.

    .venv/bin/python bench/replicas.py [--replicas 2] [--levels 1,2,4,8,16] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import multiprocessing
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.viewer import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    FOLIUM,
    cpu_seconds,
    footprint_counts,
    free_port,
    guarded_context,
    map_session,
    pct,
    view_map,
    wait_for_footprints,
)

READY_TIMEOUT_S = 180


# -- processes ------------------------------------------------------------------------------------------

def children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(stat.parent.name))
    return tree


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and all its descendants alive now."""
    tree, total, todo = children(), 0.0, [pid]
    while todo:
        current = todo.pop()
        total += cpu_seconds(current)
        todo.extend(tree.get(current, []))
    return total


class Deployment:
    """``bash scripts/replicas.sh K`` on a free port, read from its output."""

    def __init__(self, replicas: int):
        self.port = free_port()
        self.replicas = replicas
        self.base = f"http://127.0.0.1:{self.port}"
        self.ports: dict[str, int] = {}
        self.pids: dict[str, int] = {}
        self.lines: list[str] = []
        self.proc = subprocess.Popen(["bash", "scripts/replicas.sh", str(replicas)], cwd=ROOT, text=True,
                                     env=os.environ | {"ATLAS_PORT": str(self.port)}, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while len(self.ports) < replicas or not any("Ctrl-C" in line for line in self.lines):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("scripts/replicas.sh did not start:\n" + "\n".join(self.lines[-15:]))
            time.sleep(0.2)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            found = re.search(r"replica (r\d+): http://127\.0\.0\.1:(\d+) \(pid (\d+)\)", line)
            if found:
                self.ports[found[1]] = int(found[2])
                self.pids[found[1]] = int(found[3])
            found = re.search(r"replica (r\d+) restarted \(pid (\d+)\)", line)
            if found:
                self.pids[found[1]] = int(found[2])

    def cpu(self) -> float:
        return tree_cpu(self.proc.pid)

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


class Baseline:
    """A checkout served as scripts/run.sh serves it, one ``streamlit run`` and no proxy: the code before, or this."""

    def __init__(self, checkout: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = os.environ | {"ATLAS_CACHE_DIR": str(ROOT / ".cache")}
        subprocess.run([sys.executable, "-m", "geo", "assets"], cwd=checkout, env=env, check=True,
                       capture_output=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not _healthy(self.base):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the baseline in {checkout} did not start")
            time.sleep(0.3)

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _healthy(base: str) -> bool:
    try:
        with Fetcher(base, {}) as fetch:
            return fetch("/_stcore/health") == 200
    except OSError:
        return False


# -- the recorded viewer, replayed ----------------------------------------------------------------------

class Fetcher:
    """GETs on one kept-alive connection, as a browser makes them (gzip accepted, the cookies it holds);
    bodies are read and dropped. Cookies the server sets are kept."""

    def __init__(self, base: str, cookies: dict[str, str]):
        host = urlparse(base)
        self.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=READY_TIMEOUT_S)
        self.cookies = cookies

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc) -> None:
        self.conn.close()

    def __call__(self, path: str) -> int:
        headers = {"Accept-Encoding": "gzip, deflate", "User-Agent": "atlas-bench-replay"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request("GET", path, headers=headers)
        reply = self.conn.getresponse()
        reply.read()
        for cookie in reply.headers.get_all("Set-Cookie") or []:
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return reply.status

    def all(self, requests: list[tuple[str, int]]) -> None:
        """Fetch each recorded request; its status must succeed or fail as it did for the browser."""
        for path, want in requests:
            got = self(path)
            if (got >= 400) != (want >= 400):
                raise RuntimeError(f"HTTP {got} on {path[:80]} (the browser had {want})")


class Recording:
    """One real viewer in Chromium: its websocket messages, and the HTTP requests it made before the first
    message (``before``) and after each message (``after[i]``)."""

    def __init__(self, before: list[tuple[str, int]], after: list[list[tuple[str, int]]], messages: list[bytes],
                 received_bytes: int):
        self.before, self.after, self.messages, self.received_bytes = before, after, messages, received_bytes

    def requests(self) -> int:
        return len(self.before) + sum(map(len, self.after)) + 1


async def record(browser, base: str, total: int, vanguards: int) -> Recording:
    context = await guarded_context(browser, [])
    tab = await context.new_page()
    gets: list[tuple[float, str]] = []
    sent: list[tuple[float, bytes]] = []
    received: list[int] = []
    statuses: dict[str, int] = {}
    context.on("request", lambda r: gets.append((time.perf_counter(), r.url)) if r.method == "GET" else None)
    context.on("response", lambda r: statuses.__setitem__(r.url, r.status))

    def on_socket(ws) -> None:
        ws.on("framesent", lambda payload: sent.append((time.perf_counter(), payload)))
        ws.on("framereceived", lambda payload: received.append(len(payload)))

    tab.on("websocket", on_socket)
    out: dict = {}
    await view_map(tab, base, total, vanguards, out)
    await context.close()
    if len(sent) < 3:  # a click on a footprint may send two (the object clicked, and the point: issue 15)
        raise SystemExit(f"expected at least 3 websocket messages (open, filter, click), recorded {len(sent)}")
    before: list[tuple[str, int]] = []
    after: list[list[tuple[str, int]]] = [[] for _ in sent]
    for at, url in gets:
        path = url[len(base):] if url.startswith(base) else None
        if not path or path == "/map":
            continue
        step = sum(1 for t, _m in sent if t <= at)
        (before if step == 0 else after[step - 1]).append((path, statuses.get(url, 200)))
    return Recording(before, after, [m for _t, m in sent], sum(received))


def replay_viewer(base: str, rec: Recording) -> dict:
    """The recorded viewer against ``base``: the same requests and messages, each run waited for."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    out = {"ready": None, "done": None, "error": ""}
    started = time.perf_counter()
    try:
        with Fetcher(base, {}) as fetch:
            if fetch("/map") != 200:
                raise RuntimeError("/map did not answer 200")
            cookies = fetch.cookies
            protocols = ["streamlit", cookies["_streamlit_xsrf"]] if "_streamlit_xsrf" in cookies else ["streamlit"]
            url = base.replace("http://", "ws://") + "/_stcore/stream"
            fetch.all(rec.before)
            with connect(url, subprotocols=protocols, origin=base, max_size=None, open_timeout=READY_TIMEOUT_S,
                         additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}) as ws:
                for step, message in enumerate(rec.messages):
                    ws.send(message)
                    while True:
                        reply = ForwardMsg()
                        reply.ParseFromString(ws.recv(timeout=READY_TIMEOUT_S))
                        if reply.WhichOneof("type") == "script_finished":
                            break
                    fetch.all(rec.after[step])
                    if step == 0:
                        out["ready"] = time.perf_counter() - started
        out["done"] = time.perf_counter() - started
    except Exception as exc:  # noqa: BLE001 - every failure is counted and named
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
    return out


def _worker_init() -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: F401 - imported once per worker


# -- the three measurements -----------------------------------------------------------------------------

async def browser_cpu(browser, target, total: int, vanguards: int, viewers: int) -> tuple[float, list[str]]:
    """Server CPU per viewer, Chromium viewers one after another."""
    await map_session(browser, target.base, total, vanguards)  # warm
    cpu0 = target.cpu()
    errors = [r["error"] for r in [await map_session(browser, target.base, total, vanguards)
                                   for _ in range(viewers)] if r["error"]]
    return (target.cpu() - cpu0) / viewers, errors


def replay_cpu(target, rec: Recording, viewers: int) -> float:
    replay_viewer(target.base, rec)  # warm
    cpu0 = target.cpu()
    for _ in range(viewers):
        replay_viewer(target.base, rec)
    return (target.cpu() - cpu0) / viewers


def warm(target, rec: Recording, replicas: int) -> None:
    """New visitors go round robin: two each make every replica load the atlas before anything is timed."""
    for _ in range(2 * replicas):
        replay_viewer(target.base, rec)


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy so far (all cores, from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def replay_clients_cpu() -> float:
    """CPU seconds of this bench's replay worker processes (children of the forkserver)."""
    tree = children()
    servers = [pid for pid in tree.get(os.getpid(), [])
               if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    return sum(tree_cpu(pid) for pid in servers)


async def level(browser, workers: ProcessPoolExecutor, target, rec: Recording, concurrency: int, total: int,
                vanguards: int, per_level: int, probes: int) -> dict:
    """Throughput: ``concurrency`` replayed viewers at a time (worker processes) until ``per_level`` are served,
    nothing else from this bench running. Then the same load again while ``probes`` Chromium viewers, one
    after another, time the painted map."""
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(concurrency)

    async def one() -> dict:
        async with gate:
            return await loop.run_in_executor(workers, replay_viewer, target.base, rec)

    cpu0, busy0, clients0, started = target.cpu(), machine_busy(), replay_clients_cpu(), time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(max(per_level, 2 * concurrency))))
    wall = time.perf_counter() - started
    cpu, busy, clients = target.cpu() - cpu0, machine_busy() - busy0, replay_clients_cpu() - clients0
    ok = [r for r in results if not r["error"]]
    painted_runs: list[dict] = []
    if probes:
        done = asyncio.Event()

        async def background() -> None:
            while not done.is_set():
                await one()

        load = [asyncio.create_task(background()) for _ in range(concurrency)]
        painted_runs = [await map_session(browser, target.base, total, vanguards) for _ in range(probes)]
        done.set()
        await asyncio.gather(*load)
    painted = [p["open"] for p in painted_runs if not p["error"]]
    served = max(1, len(ok))
    return {"c": concurrency, "served": len(ok), "per_s": len(ok) / wall, "wall": wall, "cpu": cpu / served,
            "clients": clients / served, "busy": busy / wall,
            "ready50": pct([r["ready"] for r in ok], .5), "ready95": pct([r["ready"] for r in ok], .95),
            "paint50": pct(painted, .5), "paint95": pct(painted, .95), "probes": len(painted),
            "errors": sorted({r["error"] for r in results + painted_runs if r["error"]})}


def print_level(k: int, row: dict) -> None:
    print(f"  {k} replica(s), {row['c']:>2} at once: {row['per_s']:5.2f} viewers/s ({row['served']} in "
          f"{row['wall']:5.1f} s) | map ready p50 {row['ready50']:5.2f} s p95 {row['ready95']:5.2f} s | painted "
          f"in Chromium p50 {row['paint50']:5.2f} s p95 {row['paint95']:5.2f} s ({row['probes']}) | CPU per viewer: "
          f"server {row['cpu']:4.2f} s, replay clients {row['clients']:4.2f} s | machine busy "
          f"{row['busy']:4.2f} of {os.cpu_count()} cores | errors {len(row['errors'])}", flush=True)
    for error in row["errors"]:
        print(f"      error: {error}")


async def failover(browser, deployment: Deployment, vanguards: int) -> None:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    context = await guarded_context(browser, [])
    tab = await context.new_page()
    await tab.goto(f"{deployment.base}/map?programme=Vanguard")
    await wait_for_footprints(tab, vanguards)
    await asyncio.sleep(1)
    name = {c["name"]: c["value"] for c in await context.cookies()}.get("atlas_replica")
    pid = deployment.pids[name]
    os.kill(pid, signal.SIGKILL)
    killed = time.perf_counter()
    notice = tab.locator('[data-testid="stMainBlockContainer"] [data-testid="stIFrame"]').content_frame.locator(
        "#notice:visible")
    try:
        await notice.first.wait_for(timeout=60_000)
        await wait_for_footprints(tab, vanguards)
        usable = time.perf_counter() - killed
        moved = {c["name"]: c["value"] for c in await context.cookies()}.get("atlas_replica")
        kept = "programme=Vanguard" in tab.url
        started = time.perf_counter()
        await tab.get_by_role("combobox", name="Care model").click()
        await tab.get_by_role("option", name=re.compile(r"\(MCP\)")).click()
        await tab.keyboard.press("Escape")
        await tab.wait_for_function(
            "() => { const f = document.querySelector('" + FOLIUM + "');"
            " const m = f && f.contentDocument.querySelector('[data-atlas-sites]');"
            f" return m && Number(m.getAttribute('data-atlas-sites')) < {vanguards}; }}", timeout=60_000)
        action = time.perf_counter() - started
        print(f"failover: killed replica {name} (pid {pid}) under an open filtered map; usable again after "
              f"{usable:.2f} s on replica {moved} (rerun there, {vanguards} footprints, notice shown); filter "
              f"kept in the address: {'yes' if kept else 'NO'}; then a filter change served in {action:.2f} s")
    except PlaywrightTimeout as exc:
        print(f"failover: the page did not recover within 60 s ({str(exc).splitlines()[0]})")
    await context.close()


async def cpu_per_viewer(browser, one: Deployment, rec: Recording, args, total: int, vanguards: int) -> None:
    print("\n1. server CPU per viewer (open map + filter change + site click), viewers one at a time")
    figures: dict[str, list[float]] = {"now": [], "replayed": [], "before": [], "plain": []}
    before = Baseline(Path(args.baseline)) if args.baseline else None
    plain = Baseline(ROOT)  # this code as scripts/run.sh serves it: one process, no proxy
    try:
        for _round in range(args.rounds):  # alternately, so all meet the same noise
            if before:
                figures["before"].append((await browser_cpu(browser, before, total, vanguards, args.cpu_viewers))[0])
            figures["plain"].append((await browser_cpu(browser, plain, total, vanguards, args.cpu_viewers))[0])
            figures["now"].append((await browser_cpu(browser, one, total, vanguards, args.cpu_viewers))[0])
            figures["replayed"].append(replay_cpu(one, rec, args.cpu_viewers))
    finally:
        plain.stop()
        if before:
            before.stop()

    def line(label: str, key: str, note: str = "") -> None:
        rounds = ", ".join(f"{x:.2f}" for x in figures[key])
        print(f"  {label:<52}{statistics.median(figures[key]):5.2f} CPU-s per viewer (rounds {rounds}){note}")

    if before:
        line(f"before ({args.baseline}: one streamlit run), Chromium", "before")
    line("now, one streamlit run (as scripts/run.sh), Chromium", "plain")
    line("now (1 replica + nginx + supervisor), Chromium", "now", "; target <= 0.4")
    line("now, the same viewer replayed", "replayed", " (the replay's cost to the server)")


async def throughput(browser, workers, one: Deployment, many: Deployment, rec: Recording, args, total: int,
                     vanguards: int) -> tuple[list[dict], list[dict]]:
    """Each level against 1 replica, then at once against N, so both meet the same noise from the machine."""
    warm(one, rec, 1)
    warm(many, rec, many.replicas)
    ones, manys = [], []
    for c in [int(x) for x in args.levels.split(",")]:
        ones.append(await level(browser, workers, one, rec, c, total, vanguards, args.per_level, args.probes))
        print_level(1, ones[-1])
        manys.append(await level(browser, workers, many, rec, c, total, vanguards, args.per_level, args.probes))
        print_level(many.replicas, manys[-1])
    return ones, manys


def compare(levels: list[int], ones: list[dict], manys: list[dict], k: int) -> None:
    best = max(r["per_s"] for r in ones)
    at = next(i for i, r in enumerate(ones) if r["per_s"] >= 0.9 * best)
    ratio = manys[at]["per_s"] / ones[at]["per_s"]
    top = max(r["per_s"] for r in manys) / best
    print("  ratio N / 1 replica at each level: " + ", ".join(
        f"{c} at once x{m['per_s'] / o['per_s']:.2f}" for c, o, m in zip(levels, ones, manys)))
    print(f"  1 replica saturates at {levels[at]} at once ({ones[at]['per_s']:.2f} viewers/s, within 10% of its "
          f"best {best:.2f}); there {k} replicas serve {manys[at]['per_s']:.2f}: x{ratio:.2f} (target >= 1.5); "
          f"best against best: x{top:.2f}")


async def main_async(args) -> None:
    from playwright.async_api import async_playwright

    total, vanguards = footprint_counts()
    levels = [int(x) for x in args.levels.split(",")]
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          "(other work on the machine shares the cores)")
    workers = ProcessPoolExecutor(max_workers=max(levels), mp_context=multiprocessing.get_context("forkserver"),
                                  initializer=_worker_init)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        one, many = Deployment(1), Deployment(args.replicas)  # both up: the idle one costs next to nothing
        try:
            rec = await record(browser, one.base, total, vanguards)
            print(f"recorded viewer: {rec.requests()} HTTP requests, {len(rec.messages)} websocket messages "
                  f"(open /map with {total} footprints, Programme = Vanguard: {vanguards}, click a site), "
                  f"{rec.received_bytes / 1024:.0f} KB received over the websocket")
            await cpu_per_viewer(browser, one, rec, args, total, vanguards)
            if args.cpu_only:
                return
            print(f"\n2. throughput: replayed viewers, each level against 1 then {args.replicas} replicas; "
                  f"{args.probes} Chromium viewer(s) per level time the painted map")
            ones, manys = await throughput(browser, workers, one, many, rec, args, total, vanguards)
            compare(levels, ones, manys, args.replicas)
            print(f"\n3. failover ({args.replicas} replicas)")
            await failover(browser, many, vanguards)
            print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            one.stop()
            many.stop()
        await browser.close()
    workers.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help="replicas to compare with one (default 2)")
    parser.add_argument("--levels", default="1,2,4,8,16", help="concurrent viewers, rising (default 1,2,4,8,16)")
    parser.add_argument("--per-level", type=int, default=16, help="viewers served per level, at least 2 per "
                        "concurrent viewer (default 16)")
    parser.add_argument("--probes", type=int, default=2, help="Chromium viewers per level (default 2)")
    parser.add_argument("--cpu-viewers", type=int, default=3, help="viewers per CPU measurement (default 3)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of the CPU measurement (default 2)")
    parser.add_argument("--cpu-only", action="store_true", help="only the CPU per viewer (section 1)")
    parser.add_argument("--baseline", help="a checkout of the code before, to measure its CPU per viewer too")
    args = parser.parse_args()
    if not 2 <= args.replicas <= 8:
        parser.error("--replicas: 2 to 8")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
