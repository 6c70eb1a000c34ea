"""Serve the atlas from N Streamlit replicas behind nginx: ``bash scripts/replicas.sh N`` (README, "Deploying").

Why this shape: a Streamlit session lives in one process, over a websocket, so a viewer must stay with
the replica that holds their session; but the atlas keeps its view in the page address and its data in
a read-only cache, so any replica can serve any page. nginx, in front on ``ATLAS_PORT``:

- sends a new visitor round robin and sets a cookie (``atlas_replica``) naming the replica that
  answered; later requests with it (the websocket, uploads, downloads) go to that replica. A cookie
  and not ``ip_hash``: many viewers behind one NHS or office address would all land on one replica.
- if that replica is down, tries the others (``proxy_next_upstream``, the others as ``backup``) and
  moves the cookie to the one that answered, so the page's own reconnect lands on a live replica.
- serves the map's content-hashed data files (``static/atlas/``), the vendored Leaflet
  (``static/vendor/``) and Streamlit's own content-hashed frontend files from disk itself, with a
  year's immutable ``Cache-Control``: the replicas' Python never sees those requests.

Health checks: open-source nginx marks a replica down when a connection to it fails; this supervisor
also asks each replica's ``/_stcore/health`` every few seconds and restarts one that exited or stopped
answering. Everything runs as the invoking user from a temporary folder (nginx with its own prefix and
config, not a system service) and is stopped on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOKIE = "atlas_replica"
#: Files named by their content (static/atlas/) or by the package version (static/vendor/, see geo.config).
IMMUTABLE = "public, max-age=31536000, immutable"
#: A replica busy with a long run still answers its health check (the check is served between the
#: script's steps); one that misses four running, each given 5 s, has hung.
CHECK_EVERY_S, CHECK_TIMEOUT_S, FAILS_BEFORE_RESTART, START_TIMEOUT_S = 3.0, 5.0, 4, 120.0
DEBIAN_MIME_TYPES = "/etc/nginx/mime.types"
MIME_TYPES = {"text/html": "html", "text/css": "css", "application/javascript": "js", "application/json": "json",
              "image/png": "png", "image/svg+xml": "svg", "font/woff2": "woff2"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(port: int, timeout: float = 2.0, host: str = "127.0.0.1") -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=timeout) as reply:
            return reply.status == 200
    except OSError:
        return False


def streamlit_assets() -> Path:
    """Streamlit's own frontend files (served at ``/static/``, named by their content)."""
    return Path(importlib.util.find_spec("streamlit").origin).parent / "static" / "static"


def worker_user(paths: list[Path]) -> str:
    """nginx's ``user`` line. Started as root, its workers drop to ``nobody``, which must be able to reach
    the files they serve; where a folder on the way is closed to others (a checkout under /root, say),
    they stay with the invoking user. Not root, nginx cannot change user and needs no line."""
    if os.geteuid() != 0:
        return ""
    for path in paths:
        for folder in [path, *path.parents]:
            if folder.exists() and not folder.stat().st_mode & 0o001:
                return "user root root;\n"
    return "user nobody nogroup;\n"


def nginx_config(ports: list[int], listen: str, run_dir: Path, root: Path = ROOT) -> str:
    """nginx.conf for replicas on ``ports`` (named r1, r2, ...): sticky by cookie, failover, static files."""
    names = [f"r{i}" for i in range(1, len(ports) + 1)]

    def server(port: int, extra: str = "") -> str:
        return f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s{extra};\n"

    upstreams = "upstream atlas_any {\n    zone atlas_any 64k;\n" + "".join(server(p) for p in ports) + "}\n"
    for name, port in zip(names, ports):
        others = "".join(server(p, " backup") for p in ports if p != port)
        upstreams += f"upstream atlas_{name} {{\n    zone atlas_{name} 64k;\n{server(port)}{others}}}\n"
    route = "".join(f"    {name} atlas_{name};\n" for name in names)
    served = "".join(f"    \"~127\\.0\\.0\\.1:{port}$\" {name};\n" for name, port in zip(names, ports))
    types = (f"include {DEBIAN_MIME_TYPES};" if Path(DEBIAN_MIME_TYPES).is_file()
             else "types {\n" + "".join(f"    {mime} {ext};\n" for mime, ext in MIME_TYPES.items()) + "}")
    temp = "".join(f"{kind}_temp_path {run_dir / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                        "uwsgi", "scgi"))
    user = worker_user([root / "static", streamlit_assets(), run_dir])
    static = "".join(f"""
    location /{folder}/ {{
        alias {path}/;
        add_header Cache-Control {cache};
        add_header X-Atlas-Served-By proxy;
    }}""" for folder, path, cache in (("app/static/atlas", root / "static" / "atlas", f'"{IMMUTABLE}"'),
                                     ("app/static/vendor", root / "static" / "vendor", "$atlas_vendor_cache"),
                                     ("static", streamlit_assets(), f'"{IMMUTABLE}"')))
    return f"""# Written by scripts/replicas.py for this run only.
{user}worker_processes auto;
pid {run_dir / 'nginx.pid'};
error_log stderr error;
events {{ worker_connections 4096; }}
http {{
{temp}{types}
default_type application/octet-stream;
access_log off;
sendfile on;
gzip on;
gzip_types application/json application/javascript text/css image/svg+xml;
gzip_min_length 1024;
client_max_body_size 8m;
{upstreams}
map $cookie_{COOKIE} $atlas_upstream {{
    default atlas_any;
{route}}}
# The replica that answered: the last address nginx tried.
map $upstream_addr $atlas_served {{
    default "";
{served}}}
# Set the cookie only when it changes (a new visitor, or a failover to another replica).
map "$cookie_{COOKIE}/$atlas_served" $atlas_set_cookie {{
    "~^([^/]*)/\\1$" "";
    "~/$" "";
    default "{COOKIE}=$atlas_served; Path=/; HttpOnly; SameSite=Lax";
}}
# Leaflet's files are named by its version in the query (geo.config), the images its CSS names are not.
map $arg_v $atlas_vendor_cache {{
    "" "public, max-age=86400";
    default "{IMMUTABLE}";
}}
map $http_upgrade $connection_upgrade {{
    default upgrade;
    "" "";
}}
server {{
    listen {listen};
    server_tokens off;
{static}
    location / {{
        proxy_pass http://$atlas_upstream;
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 2s;
        proxy_read_timeout 1h;
        proxy_send_timeout 1h;
        proxy_next_upstream error timeout http_502 http_503;
        proxy_next_upstream_tries {len(ports)};
        add_header Set-Cookie $atlas_set_cookie;
        add_header X-Atlas-Replica $atlas_served;
    }}
}}
}}
"""


class Replica:
    """One ``streamlit run serve.py`` on a loopback port, its log in the run folder."""

    def __init__(self, name: str, port: int, run_dir: Path, env: dict[str, str]):
        self.name, self.port, self.log_path, self.env = name, port, run_dir / f"{name}.log", env
        self.proc: subprocess.Popen | None = None
        self.fails = 0

    def start(self) -> None:
        log = self.log_path.open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.fails = 0

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()

    def wait(self, timeout: float) -> None:
        if self.proc:
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tail(self, lines: int = 5) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def wait_until_healthy(replicas: list[Replica], stopping: list[bool], timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(replicas)
    while waiting and not stopping:
        for replica in list(waiting):
            if replica.proc and replica.proc.poll() is not None:
                raise RuntimeError(f"replica {replica.name} exited at start:\n{replica.tail()}")
            if healthy(replica.port):
                waiting.remove(replica)
        if waiting and time.monotonic() > deadline:
            raise RuntimeError(f"replicas {', '.join(r.name for r in waiting)} did not answer within {timeout:.0f} s")
        time.sleep(0.3)


def supervise(replicas: list[Replica], nginx: subprocess.Popen, stopping: list[bool]) -> int:
    """Restart a replica that exited or failed its health check four times running; stop if nginx stops."""
    while not stopping:
        time.sleep(CHECK_EVERY_S)
        if stopping:
            break
        if nginx.poll() is not None:
            print(f"nginx stopped (exit status {nginx.returncode}); stopping the replicas", flush=True)
            return 1
        for replica in replicas:
            exited = replica.proc is None or replica.proc.poll() is not None
            if not exited and not healthy(replica.port, CHECK_TIMEOUT_S):
                replica.fails += 1
            elif not exited:
                replica.fails = 0
            if exited or replica.fails >= FAILS_BEFORE_RESTART:
                why = f"exited (status {replica.proc.returncode})" if exited else "stopped answering /_stcore/health"
                print(f"replica {replica.name} on port {replica.port} {why}: restarting it; its sessions "
                      "reconnect to another replica meanwhile", flush=True)
                replica.stop()
                replica.wait(10)
                replica.start()
                print(f"replica {replica.name} restarted (pid {replica.proc.pid})", flush=True)
    return 0


def port_free(address: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx binds
        try:
            sock.bind((address, port))
        except OSError:
            return False
    return True


def start_proxy(nginx_bin: str, replicas: list[Replica], address: str, port: int, run_dir: Path) -> subprocess.Popen:
    """nginx in front of the replicas, once it answers a health check through itself."""
    conf = run_dir / "nginx.conf"
    conf.write_text(nginx_config([r.port for r in replicas], f"{address}:{port}", run_dir))
    nginx = subprocess.Popen([nginx_bin, "-p", str(run_dir), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
                             start_new_session=True)
    local = "127.0.0.1" if address == "0.0.0.0" else address
    deadline = time.monotonic() + 20
    while not healthy(port, host=local):
        if nginx.poll() is not None or time.monotonic() > deadline:
            nginx.kill()
            raise RuntimeError(f"nginx did not start (exit status {nginx.poll()}; its message is above)")
        time.sleep(0.2)
    return nginx


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("replicas", type=int, help="how many Streamlit replicas (1-16)")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 16:
        parser.error("run between 1 and 16 replicas")
    nginx_bin = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not nginx_bin:
        print("nginx is not installed: `apt-get install nginx` (bash scripts/test.sh installs it)", file=sys.stderr)
        return 2
    address = os.environ.get("ATLAS_ADDRESS", "127.0.0.1")
    port = int(os.environ.get("ATLAS_PORT", "8501"))
    if not port_free(address, port):
        print(f"{address}:{port} is in use: stop what serves it or choose another ATLAS_PORT", file=sys.stderr)
        return 2
    run_dir = Path(tempfile.mkdtemp(prefix="atlas-replicas-"))
    run_dir.chmod(0o755)  # nginx's workers (nobody, when started as root) read their temp folders in it
    # One cookie secret for all, so anything Streamlit signs on one replica is valid on the others.
    env = dict(os.environ) | {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    replicas = [Replica(f"r{i}", free_port(), run_dir, env) for i in range(1, args.replicas + 1)]
    stopping: list[bool] = []

    def stop(_signum, _frame) -> None:
        stopping.append(True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    nginx = None
    status = 0
    try:
        for replica in replicas:
            replica.start()
        wait_until_healthy(replicas, stopping)
        if stopping:
            return 0
        nginx = start_proxy(nginx_bin, replicas, address, port, run_dir)
        shown = "localhost" if address in ("0.0.0.0", "127.0.0.1") else address
        print(f"==> the atlas is at http://{shown}:{port} (address {address}), through nginx (pid {nginx.pid}), "
              f"{len(replicas)} replica(s):", flush=True)
        for replica in replicas:
            print(f"    replica {replica.name}: http://127.0.0.1:{replica.port} (pid {replica.proc.pid})", flush=True)
        print(f"    run folder {run_dir} (nginx.conf, replica logs); Ctrl-C stops everything", flush=True)
        status = supervise(replicas, nginx, stopping)
    except RuntimeError as problem:
        print(f"replicas: {problem}", file=sys.stderr, flush=True)
        status = 1
    finally:
        if nginx and nginx.poll() is None:
            nginx.terminate()  # a graceful stop would wait for every open websocket
        for replica in replicas:
            replica.stop()
        if nginx:
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
        for replica in replicas:
            replica.wait(15)
        shutil.rmtree(run_dir, ignore_errors=True)
        print("==> stopped nginx and the replicas", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
