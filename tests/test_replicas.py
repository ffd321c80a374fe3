"""Issue 11: the nginx configuration in front of several replicas (scripts/nginx/gridscope.conf)
parses, and routes as it says: a browser's requests to one replica (by the cookie nginx gives
it), new browsers spread over the replicas, websocket upgrades passed on. Two small HTTP
servers stand in for the Streamlit replicas; nginx runs without root under a temporary prefix."""

from __future__ import annotations

import http.server
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "scripts" / "nginx" / "gridscope.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prefix(tmp_path: Path) -> Path:
    for sub in ("logs", "tmp"):
        (tmp_path / sub).mkdir(parents=True, exist_ok=True)
    return tmp_path


def test_the_configuration_parses(tmp_path):
    assert Path(NGINX).exists(), "nginx is installed by scripts/test.sh and scripts/replicas.sh"
    prefix = _prefix(tmp_path)
    done = subprocess.run(
        [NGINX, "-t", "-p", f"{prefix}/", "-c", str(CONF)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    text = CONF.read_text(encoding="utf-8")
    assert re.search(r"location /_stcore/stream \{[^}]*Upgrade \$http_upgrade", text)
    assert "hash $gridscope_replica consistent;" in text


class _Replica(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the handler's name
        body = f"{self.server.server_port}|{self.headers.get('Upgrade', '')}".encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def proxy(tmp_path) -> Iterator[tuple[int, list[int]]]:
    """nginx on a free port in front of two stand-in replicas, with the repository's config
    (its server lines and port replaced as scripts/replicas.sh does)."""
    replicas = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Replica) for _ in range(2)]
    for r in replicas:
        threading.Thread(target=r.serve_forever, daemon=True).start()
    ports = [r.server_port for r in replicas]
    port = _free_port()
    lines, placed = [], False
    for line in CONF.read_text(encoding="utf-8").splitlines():
        if re.fullmatch(r"\s*server 127\.0\.0\.1:\d+;", line):
            if not placed:
                lines += [f"        server 127.0.0.1:{p};" for p in ports]
                placed = True
            continue
        lines.append(f"        listen 127.0.0.1:{port};" if re.match(r"\s*listen ", line) else line)
    prefix = _prefix(tmp_path)
    (prefix / "nginx.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    nginx = subprocess.Popen(
        [NGINX, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield port, ports
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for r in replicas:
            r.shutdown()


def _get(port: int, cookie: str | None = None, upgrade: bool = False) -> tuple[int, str]:
    """(replica port, Upgrade header it saw) of one request, and the replica cookie set."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_stcore/health")
    if cookie:
        request.add_header("Cookie", f"gridscope_replica={cookie}")
    with urllib.request.urlopen(request, timeout=5) as answer:
        replica, _ = answer.read().decode().split("|")
        set_cookie = answer.headers.get("Set-Cookie", "")
    return int(replica), set_cookie


def test_a_browser_stays_on_its_replica_and_new_ones_spread(proxy):
    port, replicas = proxy
    first, set_cookie = _get(port)
    key = re.match(r"gridscope_replica=([0-9a-f]+);", set_cookie)
    assert key, set_cookie
    assert {_get(port, key.group(1))[0] for _ in range(10)} == {first}  # sticky by its cookie
    new_browsers = {_get(port)[0] for _ in range(40)}  # no cookie yet: a random key each
    assert new_browsers == set(replicas)


def test_websocket_upgrade_headers_reach_the_replica(proxy):
    port, _ = proxy
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(
            b"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        )
        answer = b""
        while chunk := s.recv(4096):  # the body may come in a later packet than the headers
            answer += chunk
            if answer.endswith(b"|websocket"):
                break
    assert answer.decode().split("\r\n\r\n", 1)[1].endswith("|websocket")
