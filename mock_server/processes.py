"""Servers the sandbox's own commands and tests start as child processes, each in a session of its own."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_group(process: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM to the child's whole process group (a gunicorn master and its workers), SIGKILL after `grace`
    seconds; nothing if it has ended already."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
