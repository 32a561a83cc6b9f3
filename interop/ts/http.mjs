// The official TypeScript SDK client against an mcplex server over Streamable HTTP, stateful
// (protocol 2025-11-25, `Mcp-Session-Id`, the standalone GET stream); see demo.mjs.
//
// Usage: node http.mjs <server program> [server args...]
//
// Starts the server (see server.mjs), connects to http://<addr>/mcp, and runs the checks with a
// second session calling `increment`; the messages of the standalone GET stream are recorded
// on the side, so the checks can tell that the resource update came on it.

import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { run } from './demo.mjs';
import { serverCommand, withServer } from './server.mjs';

/**
 * A `fetch` that hands back every GET response unchanged while it parses a copy of the event
 * stream and pushes each JSON-RPC message in it to `messages`.
 */
function recordingGetStreams(messages) {
    return async (url, init) => {
        const response = await fetch(url, init);
        const isStream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
        if ((init?.method ?? 'GET') !== 'GET' || !response.ok || !isStream || !response.body) {
            return response;
        }
        const [mine, copy] = response.body.tee();
        record(copy, messages);
        return new Response(mine, { status: response.status, statusText: response.statusText, headers: response.headers });
    };
}

function parse(text) {
    try {
        return JSON.parse(text);
    } catch {
        return { unparsed: text };
    }
}

async function record(stream, messages) {
    let data = [];
    let rest = '';
    try {
        for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
            const lines = (rest + chunk).split(/\r\n|\r|\n/);
            rest = lines.pop();
            for (const line of lines) {
                if (line === '') {
                    // An event without data (such as a priming event that only sets an id) is no message.
                    const text = data.join('\n');
                    if (text.trim() !== '') {
                        messages.push(parse(text));
                    }
                    data = [];
                } else if (line.startsWith('data:')) {
                    data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
                }
            }
        }
    } catch {
        // The transport aborts the stream when it closes.
    }
}

const [program, args] = serverCommand('http.mjs');
process.exit(
    await withServer(program, args, async (address) => {
        const url = new URL(`http://${address}/mcp`);
        const standalone = [];
        return run({
            label: 'interop typescript-http',
            target: url.href,
            transport: new StreamableHTTPClientTransport(url, { fetch: recordingGetStreams(standalone) }),
            peer: () => new StreamableHTTPClientTransport(url),
            standalone,
        });
    }),
);
