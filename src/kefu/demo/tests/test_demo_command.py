"""``kefu demo`` stops its worker when it is told to stop (SIGTERM), not only on Ctrl+C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from typing import Any

import pytest
from django.core.management import call_command

from kefu.core.management.commands import demo as demo_command


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signal handlers can only be installed from the main thread",
)
@pytest.mark.django_db
def test_sigterm_stops_the_worker_too(monkeypatch: Any) -> None:
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def worker_popen(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        assert args[1:] == ["-m", "kefu", "worker"]
        # A real child process in the worker's place (a whole worker would poll for minutes).
        child = real_popen([sys.executable, "-c", "import time; time.sleep(120)"])
        started.append(child)
        return child

    def serve_then_sigterm(name: str, *args: Any, **kwargs: Any) -> None:
        if name == "serve":
            os.kill(os.getpid(), signal.SIGTERM)  # what `kill <pid>` or a service manager does
            return
        real_call_command(name, *args, **kwargs)

    real_call_command = call_command
    monkeypatch.setattr(demo_command.subprocess, "Popen", worker_popen)
    monkeypatch.setattr(demo_command, "call_command", serve_then_sigterm)
    monkeypatch.setattr(demo_command, "demo_center_exists", lambda: True)
    before = signal.getsignal(signal.SIGTERM)

    with pytest.raises(SystemExit) as stopped:
        call_command("demo", "--port", "8999")

    assert stopped.value.code == 128 + signal.SIGTERM
    assert started and started[0].wait(timeout=10) is not None  # the worker was stopped
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is put back
