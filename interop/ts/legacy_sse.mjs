// The official TypeScript SDK client against an mcplex server over the legacy HTTP+SSE transport
// of 2024-11-05 (`SSEClientTransport`: `GET /sse`, then `POST /messages?sessionId=...`), on
// protocol 2025-11-25; see demo.mjs.
//
// Usage: node legacy_sse.mjs <server program> [server args...]
//
// Starts the server (see server.mjs), connects to http://<addr>/sse, and runs the checks with a
// second connection calling `increment`.

import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';

import { run } from './demo.mjs';
import { serverCommand, withServer } from './server.mjs';

const [program, args] = serverCommand('legacy_sse.mjs');
process.exit(
    await withServer(program, args, async (address) => {
        const url = new URL(`http://${address}/sse`);
        return run({
            label: 'interop typescript-legacy-sse',
            target: url.href,
            transport: new SSEClientTransport(url),
            peer: () => new SSEClientTransport(url),
        });
    }),
);
