// The official TypeScript SDK client against an mcplex server over WebSocket, through the SDK's
// WebSocketClientTransport (subprotocol `mcp`): the checks of demo.mjs, with a second connection
// calling `increment`, then one more check that a subscriber which sends nothing at all receives
// notifications/resources/updated pushed after another connection calls `increment`.
//
// Usage: node ws.mjs <server program> [server args...]
//
// Starts the server (see server.mjs; pass `--bind 127.0.0.1:0`) and connects to ws://<addr>/ws.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

import { run } from './demo.mjs';
import { serverCommand, withServer } from './server.mjs';

const LABEL = 'interop typescript-ws';
const REQUEST_TIMEOUT_MS = 10_000;
const PUSH_TIMEOUT_MS = 5_000;

function newClient(name) {
    return new Client({ name, version: '1.0.0' }, { capabilities: {} });
}

/** The push check; returns the exit code. */
async function pushCheck(url) {
    const name = 'a silent subscriber receives resources/updated after another connection calls increment';
    const updates = [];
    const subscriber = newClient('mcplex-interop-subscriber');
    subscriber.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
        updates.push(notification.params.uri);
    });
    const caller = newClient('mcplex-interop-caller');
    try {
        const transport = new WebSocketClientTransport(url);
        let sent = 0;
        const send = transport.send.bind(transport);
        transport.send = (message) => {
            sent += 1;
            return send(message);
        };
        await subscriber.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
        await subscriber.subscribeResource({ uri: 'demo://counter' }, { timeout: REQUEST_TIMEOUT_MS });
        const sentBefore = sent;

        await caller.connect(new WebSocketClientTransport(url), { timeout: REQUEST_TIMEOUT_MS });
        const result = await caller.callTool({ name: 'increment', arguments: {} }, undefined, { timeout: REQUEST_TIMEOUT_MS });
        if (result.isError) {
            throw new Error(`increment failed: ${JSON.stringify(result.content)}`);
        }
        const deadline = Date.now() + PUSH_TIMEOUT_MS;
        while (!updates.includes('demo://counter')) {
            if (Date.now() > deadline) {
                throw new Error(`no notifications/resources/updated within ${PUSH_TIMEOUT_MS} ms (got ${JSON.stringify(updates)})`);
            }
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
        if (sent !== sentBefore) {
            throw new Error(`the subscriber sent ${sent - sentBefore} message(s) while waiting for the push`);
        }
        console.log(`ok - ${name}`);
        return 0;
    } catch (error) {
        console.log(`FAIL - ${name}: ${error instanceof Error ? error.message : String(error)}`);
        return 1;
    } finally {
        await subscriber.close().catch(() => {});
        await caller.close().catch(() => {});
    }
}

const [program, args] = serverCommand('ws.mjs');
process.exit(
    await withServer(program, args, async (address) => {
        const url = new URL(`ws://${address}/ws`);
        const demo = await run({
            label: LABEL,
            target: url.href,
            transport: new WebSocketClientTransport(url),
            peer: () => new WebSocketClientTransport(url),
        });
        const push = await pushCheck(url);
        console.log(`${LABEL} push: ${push === 0 ? '1 passed, 0 failed' : '0 passed, 1 failed'}`);
        return demo || push;
    }),
);
