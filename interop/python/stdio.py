"""The official Python SDK client against an mcplex server over stdio (see demo.py).

Usage: python stdio.py <server program> [server args...]
"""

import os
import sys

import anyio
from mcp import StdioServerParameters

from demo import run

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python stdio.py <server program> [server args...]")
    program, *args = sys.argv[1:]
    env = {key: os.environ[key] for key in ("RUST_LOG", "RUST_BACKTRACE") if key in os.environ}
    server = StdioServerParameters(command=program, args=args, env=env)
    sys.exit(anyio.run(run, "interop python-stdio", server, " ".join(sys.argv[1:])))
