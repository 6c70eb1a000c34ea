"""The replicated deployment for real: `bash scripts/replicas.sh 2` (two Streamlit replicas behind nginx)
on loopback, two Chromium sessions through the proxy, one replica killed under an open page.

Needs Debian's nginx (`bash scripts/test.sh` installs it, as it installs chromium).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from test_browser import FOLIUM, OUT, ROOT, browser, free_port, guarded_context  # noqa: F401 (fixtures)

from geo.geocode.bundled_sites import bundled_sites
from geo.present import filters as flt

pytestmark = pytest.mark.browser

YEAR = 31536000


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Replicas:
    """`bash scripts/replicas.sh N` on a free port, its output read as it comes."""

    def __init__(self, count: int):
        assert shutil.which("nginx") or Path("/usr/sbin/nginx").exists(), \
            "nginx is missing: bash scripts/test.sh installs it"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("ATLAS_TILES", "ATLAS_TILES_ATTR")}
        self.proc = subprocess.Popen(["bash", "scripts/replicas.sh", str(count)], cwd=ROOT,
                                     env=env | {"ATLAS_PORT": str(self.port)}, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(x.rstrip() for x in self.proc.stdout), daemon=True).start()
        deadline = time.monotonic() + 240
        while not any("Ctrl-C" in line for line in self.lines):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail("scripts/replicas.sh did not start:\n" + "\n".join(self.lines[-20:]))
            time.sleep(0.2)
        found = [re.search(r"replica (r\d+): http://127\.0\.0\.1:(\d+) \(pid (\d+)\)", x) for x in self.lines]
        self.ports = {m[1]: int(m[2]) for m in found if m}
        self.pids = {m[1]: int(m[3]) for m in found if m}

    def stop(self) -> int | None:
        """SIGTERM, as Ctrl-C or a service manager sends; the exit status, or None if it did not stop."""
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        OUT.mkdir(exist_ok=True)
        (OUT / "replicas.log").write_text("\n".join(self.lines) + "\n")


def wait_for_footprints(tab, count: int, timeout_s: float = 60) -> None:
    paths = tab.frame_locator(FOLIUM).locator("path.atlas-footprint")
    deadline = time.monotonic() + timeout_s
    while paths.count() != count:
        assert time.monotonic() < deadline, f"the map shows {paths.count()} footprints, expected {count}"
        time.sleep(0.2)


def replica_of(context) -> str:
    return {c["name"]: c["value"] for c in context.cookies()}["atlas_replica"]


def test_two_sessions_through_the_proxy_a_replica_killed_and_sigterm_stops_all(cache_dir, browser, atlas):  # noqa: F811
    replicas = Replicas(2)
    try:
        check_sessions_and_failover(replicas, browser, atlas)
    finally:
        status = replicas.stop()
        replicas.kill()
    assert status == 0, "scripts/replicas.sh did not stop cleanly on SIGTERM"
    assert not listening(replicas.port) and not any(listening(p) for p in replicas.ports.values())
    assert any("stopped nginx and the replicas" in x for x in replicas.lines)


def check_sessions_and_failover(replicas: Replicas, chromium, atlas) -> None:
    base, ports, lines = replicas.base, replicas.ports, replicas.lines
    assert sorted(ports) == ["r1", "r2"] and any(f"http://localhost:{replicas.port}" in x for x in lines)
    frame, footprints = bundled_sites(atlas)
    shown = flt.apply_filters(frame, flt.Filters(programmes=("Vanguard",)))["site_id"]
    vanguards = sum(1 for s in shown if footprints.get(s))
    outside: list[str] = []
    sessions = []
    data_files: list[tuple[str, dict]] = []
    for _ in range(2):  # two sessions from one address: the proxy's cookie, not the address, spreads them
        context = guarded_context(chromium, outside)
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        tab.on("response", lambda r: data_files.append((r.url, r.headers)) if "/app/static/atlas/" in r.url else None)
        tab.goto(f"{base}/map?programme=Vanguard")
        wait_for_footprints(tab, vanguards)
        sessions.append((context, tab))
    on = [replica_of(context) for context, _tab in sessions]
    assert sorted(on) == ["r1", "r2"], f"new visitors should go round robin, went to {on}"

    # the map's data files come from the proxy itself, cacheable for a year
    assert data_files, "the map fetched no data file"
    url, headers = data_files[0]
    assert headers.get("x-atlas-served-by") == "proxy" and f"max-age={YEAR}" in headers.get("cache-control", "")
    with urllib.request.urlopen(url) as reply:
        assert reply.headers["X-Atlas-Served-By"] == "proxy" and "immutable" in reply.headers["Cache-Control"]
        assert reply.headers["Content-Type"] == "application/json"

    # kill the replica holding the first session: its page moves to the other, with the same filters
    (context, tab), (other_context, other_tab) = sessions
    killed = on[0]
    os.kill(replicas.pids[killed], signal.SIGKILL)
    main_frame = tab.locator('[data-testid="stMainBlockContainer"] [data-testid="stIFrame"]').content_frame
    notice = main_frame.locator("#notice")
    notice.wait_for(state="visible", timeout=60_000)
    assert "reconnected to another one" in notice.inner_text() and "upload it again" in notice.inner_text()
    wait_for_footprints(tab, vanguards)
    assert "programme=Vanguard" in tab.url
    assert tab.get_by_text(f"{len(shown)} of {len(frame)} sites").is_visible()
    # served by the replica still running (or, on a very slow machine, by the killed one once restarted)
    assert replica_of(context) == on[1] or any(f"replica {killed} restarted" in x for x in lines)
    OUT.mkdir(exist_ok=True)
    tab.screenshot(path=str(OUT / "replicas-after-failover.png"))
    # usable: a filter change is served by the new replica
    tab.get_by_role("combobox", name="Care model").click()
    tab.get_by_role("option", name=re.compile(r"\(MCP\)")).click()
    tab.keyboard.press("Escape")
    mcp = flt.apply_filters(frame, flt.Filters(programmes=("Vanguard",), care_models=("MCP",)))["site_id"]
    wait_for_footprints(tab, sum(1 for s in mcp if footprints.get(s)))
    assert "model=" in tab.url and "programme=Vanguard" in tab.url
    # the other session never lost its server and shows no notice
    other_notice = other_tab.locator('[data-testid="stMainBlockContainer"] [data-testid="stIFrame"]').content_frame
    assert not other_notice.locator("#notice").is_visible()
    assert replica_of(other_context) == on[1]
    for context, _tab in sessions:
        context.close()
    assert outside == [], f"the app reached for the internet: {outside}"
    # the supervisor restarts the killed replica
    deadline = time.monotonic() + 90
    while not any(f"replica {killed} restarted" in x for x in lines) or not listening(ports[killed]):
        assert time.monotonic() < deadline, "the killed replica was not restarted"
        time.sleep(0.5)


def test_the_proxy_configuration_passes_nginx_own_check(tmp_path):
    """The config scripts/replicas.py writes, for three replicas, checked by `nginx -t` (no port is opened)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("replicas_script", ROOT / "scripts" / "replicas.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    tmp_path.chmod(0o755)
    conf = tmp_path / "nginx.conf"
    conf.write_text(script.nginx_config([free_port(), free_port(), free_port()], "127.0.0.1:1", tmp_path))
    text = conf.read_text()
    assert "hash" not in text and "ip_hash" not in text and "$cookie_atlas_replica" in text
    assert text.count(" backup;") == 6 and "proxy_next_upstream error timeout" in text
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", "stderr"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
