"""The official Python SDK client against an mcplex server over Streamable HTTP (see demo.py).

Protocol 2026-07-28, the stateless wire: `server/discover`, every request a POST of its own, and
`subscriptions/listen` as a long-lived SSE response. Starts the server (see server.py), connects
to http://<addr>/mcp, and runs the checks with a second client calling `increment`.

Usage: python streamable_http.py <server program> [server args...]

(Not `http.py`: the script's folder comes first on `sys.path`, and that name would shadow the
standard library's `http` package.)
"""

import sys

import anyio

from demo import run
from server import ServerFailed, running

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python streamable_http.py <server program> [server args...]")
    command = sys.argv[1:]
    try:
        with running(command) as address:
            url = f"http://{address}/mcp"
            sys.exit(anyio.run(run, "interop python-http", url, url, url))
    except ServerFailed as error:
        print(f"FAIL - start {' '.join(command)}: {error}", flush=True)
        sys.exit(1)
