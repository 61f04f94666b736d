"""A plain `streamlit run` of the dashboard listens on this machine only (.streamlit/config.toml)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_config_binds_the_dashboard_to_loopback() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reachable(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((host, port)) == 0


@pytest.mark.slow
def test_plain_streamlit_run_is_not_reachable_on_other_addresses(tmp_path: Path) -> None:
    """Started the way a user starts it, with no --server.address: 127.0.0.1 answers, another
    address of this machine (127.0.0.2, which reaches any socket bound to all interfaces on
    Linux) does not."""
    if not sys.platform.startswith("linux"):
        pytest.skip("127.0.0.2 reaches an all-interfaces socket on Linux only")
    port = _free_port()
    env = dict(os.environ, FRAMING_CACHE_DIR=str(tmp_path), FRAMING_USE_MODEL="false")
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app/streamlit_app.py",
         "--server.port", str(port), "--server.headless", "true",
         "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        (tmp_path / "streamlit.log").read_text(encoding="utf-8")) from None
                time.sleep(0.3)
        assert _reachable("127.0.0.1", port)
        assert not _reachable("127.0.0.2", port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
