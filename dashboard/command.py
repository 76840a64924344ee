"""`concordat dashboard [--port 8501] [--internal]`: serve the Streamlit app on the serving file, read-only.

The app runs as ``python -m streamlit run dashboard/app.py`` in a subprocess, with the serving file and the
disclosure mode passed by environment variables (``dashboard.settings``). The command waits on it; Ctrl-C stops
the server and the command returns 130 through the CLI's interrupt handling.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys

from concordat import paths
from concordat.errors import UserInputError
from dashboard import settings

APP = paths.DASHBOARD_DIR / "app.py"


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--global.developmentMode",
        "false",
    ]


def check_port(port: int) -> None:
    """UserInputError unless the dashboard can listen on `port`: in range, and nothing else listening there.

    Checked before anything starts, so a busy port is one clear line instead of Streamlit's own message after
    the banner (and, for `concordat run`, before the demo is built rather than after)."""
    if not 1 <= port <= 65535:
        raise UserInputError(f"--port must be between 1 and 65535, not {port}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Streamlit's server does
        try:
            sock.bind(("", port))
        except OSError as exc:
            raise UserInputError(
                f"cannot serve on port {port} ({exc.strerror}; is a dashboard already running?): "
                f'stop what is using it, or choose another port with --port (make run RUN_ARGS="--port {port + 1}")'
            ) from None


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    serving = paths.serving_warehouse()
    if not serving.exists():
        raise UserInputError(f"no serving file at {serving}: run `concordat publish` first (or `make run`)")
    port = int(getattr(args, "port", 8501))
    check_port(port)
    internal = bool(getattr(args, "internal", False))
    env = dict(os.environ)
    env[settings.SERVING_FILE_ENV] = str(serving)
    env[settings.INTERNAL_ENV] = "1" if internal else "0"
    view = "internal view: small numbers shown" if internal else "published view: small numbers suppressed"
    print(f"Concordat dashboard on http://localhost:{port} ({view}; serving {serving}). Ctrl-C stops it.", flush=True)
    process = subprocess.Popen(streamlit_command(port), env=env, cwd=paths.DASHBOARD_DIR)
    signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop also stops Streamlit
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        raise
