"""Starts an mcplex network server for an interop script and stops it again, whatever happens.

The server must print `mcplex <transport> listening on <addr>` on stderr when it is ready (pass it
a bind address with port 0 to get a free port). Its stderr is passed through.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

READY = re.compile(r"^mcplex \S+ listening on (\S+)$")
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0


class ServerFailed(Exception):
    """The server did not get ready."""


def exit_status(code: int) -> str:
    return f"signal {-code}" if code < 0 else f"exit code {code}"


@contextmanager
def running(command: list[str]) -> Iterator[str]:
    """Starts `command`, yields the address of its ready line, and stops it (SIGTERM, then SIGKILL)."""
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
    except OSError as error:
        raise ServerFailed(str(error)) from error
    ready: queue.Queue[str | None] = queue.Queue()

    def forward() -> None:
        address = None
        assert process.stderr is not None
        for line in process.stderr:
            sys.stderr.write(line)
            sys.stderr.flush()
            if address is None and (match := READY.match(line.rstrip("\r\n"))):
                address = match.group(1)
                ready.put(address)
        if address is None:
            ready.put(None)

    threading.Thread(target=forward, daemon=True).start()
    try:
        try:
            address = ready.get(timeout=READY_TIMEOUT)
        except queue.Empty:
            raise ServerFailed(f"no ready line within {READY_TIMEOUT:g} s") from None
        if address is None:
            raise ServerFailed(f"it exited ({exit_status(process.wait())}) before it was ready")
        yield address
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
