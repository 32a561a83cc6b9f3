// The demo-toolset session every TypeScript interop script runs: the official TypeScript SDK
// client on protocol 2025-11-25 (the stateful initialize handshake) against an mcplex server
// serving `--toolset demo`, asserting on every tool, resource, template, prompt and completion.
//
// `run` prints one line per check and a summary line, and returns the process exit code.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const PROTOCOL = '2025-11-25';
const ANSWER = 'interop-typescript';
const DEMO_TOOLS = ['add', 'ask_user', 'echo', 'increment', 'long_task', 'post_message', 'task_stats'];
const CHECK_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 10_000;
const NOTIFICATION_TIMEOUT_MS = 5_000;

function expect(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

function expectEqual(actual, expected, what) {
    const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
    expect(a === e, `${what}: expected ${e}, got ${a}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Connects a client through `transport` and runs every check, in order.
 *
 * @param {object} options
 * @param {string} options.label the name of the session in the summary line
 * @param {string} options.target what the transport connects to, for messages
 * @param {import('@modelcontextprotocol/sdk/shared/transport.js').Transport} options.transport
 * @param {() => import('@modelcontextprotocol/sdk/shared/transport.js').Transport} [options.peer]
 *   makes the transport of a second connection to the same server; when given, a second client
 *   calls `increment` over it, so `notifications/resources/updated` must cross connections
 * @param {object[]} [options.standalone] the messages received on the standalone GET stream, as
 *   the transport script records them; when given, the update of `demo://counter` must be among them
 * @returns {Promise<number>} the exit code: 0 when every check passed
 */
export async function run({ label, target, transport, peer, standalone }) {
    let passed = 0;
    let failed = 0;
    const elicitations = [];
    const updates = [];
    const called = new Set();
    const wire = [];
    let negotiated;

    async function check(name, body) {
        let timer;
        const timeout = new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no outcome within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
        });
        try {
            await Promise.race([body(), timeout]);
            passed += 1;
            console.log(`ok - ${name}`);
        } catch (error) {
            failed += 1;
            console.log(`FAIL - ${name}: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
            clearTimeout(timer);
        }
    }

    const client = new Client(
        { name: 'mcplex-interop-typescript', version: '1.0.0' },
        { capabilities: { elicitation: { form: {} } } },
    );
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
        elicitations.push(request.params);
        return { action: 'accept', content: { answer: ANSWER } };
    });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
        updates.push(notification.params.uri);
    });

    // Every message from the server, as received; the client chains its own handler after this one.
    transport.onmessage = (message) => {
        wire.push(message);
    };
    // The client hands the negotiated version to transports that take it (HTTP sends it as a header).
    const setProtocolVersion = transport.setProtocolVersion?.bind(transport);
    transport.setProtocolVersion = (version) => {
        negotiated = version;
        setProtocolVersion?.(version);
    };

    async function callTool(name, args, options = {}) {
        called.add(name);
        return client.callTool({ name, arguments: args }, undefined, { timeout: REQUEST_TIMEOUT_MS, ...options });
    }

    // Calls a tool from a second client on its own connection (and session, where there is one).
    async function callToolFromPeer(name, args) {
        called.add(name);
        const other = new Client({ name: 'mcplex-interop-typescript-peer', version: '1.0.0' });
        const otherTransport = peer();
        await other.connect(otherTransport, { timeout: REQUEST_TIMEOUT_MS });
        try {
            if ('sessionId' in transport) {
                const sessions = [transport.sessionId, otherTransport.sessionId];
                const distinct = sessions.every(Boolean) && sessions[0] !== sessions[1];
                expect(distinct, `the two clients do not have distinct session ids: ${JSON.stringify(sessions)}`);
            }
            const result = await other.callTool({ name, arguments: args }, undefined, { timeout: REQUEST_TIMEOUT_MS });
            await otherTransport.terminateSession?.();
            return result;
        } finally {
            await other.close().catch(() => {});
        }
    }

    function text(result) {
        expect(!result.isError, `the tool failed: ${JSON.stringify(result.content)}`);
        const texts = result.content.filter((item) => item.type === 'text').map((item) => item.text);
        expect(texts.length > 0, `no text content in ${JSON.stringify(result.content)}`);
        return texts.join('\n');
    }

    async function readText(uri) {
        const result = await client.readResource({ uri }, { timeout: REQUEST_TIMEOUT_MS });
        expectEqual(result.contents.length, 1, `number of contents of ${uri}`);
        expectEqual(result.contents[0].uri, uri, `uri of the contents of ${uri}`);
        expect(typeof result.contents[0].text === 'string', `${uri} has no text contents`);
        return result.contents[0].text;
    }

    async function stats() {
        const result = await callTool('task_stats', {});
        const structured = result.structuredContent;
        expect(structured, `task_stats returned no structuredContent: ${JSON.stringify(result)}`);
        for (const key of ['started', 'completed', 'cancelled']) {
            expect(Number.isInteger(structured[key]), `task_stats ${key} is not an integer: ${JSON.stringify(structured)}`);
        }
        expectEqual(JSON.parse(text(result)), structured, 'task_stats text content, parsed as JSON');
        return structured;
    }

    async function waitForUpdate(uri, since) {
        const deadline = Date.now() + NOTIFICATION_TIMEOUT_MS;
        while (!updates.slice(since).includes(uri)) {
            expect(
                Date.now() < deadline,
                `no notifications/resources/updated for ${uri} within ${NOTIFICATION_TIMEOUT_MS} ms (got ${JSON.stringify(updates.slice(since))})`,
            );
            await sleep(10);
        }
    }

    try {
        await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
    } catch (error) {
        console.log(`FAIL - connect to ${target}: ${error instanceof Error ? error.message : String(error)}`);
        console.log(`${label}: 0 passed, 1 failed`);
        await client.close().catch(() => {});
        return 1;
    }

    let listed = [];

    await check(`initialize negotiates protocol ${PROTOCOL}`, async () => {
        expectEqual(negotiated, PROTOCOL, 'negotiated protocol version');
        const info = client.getServerVersion();
        expect(info?.name, `the server sent no serverInfo.name: ${JSON.stringify(info)}`);
        const capabilities = client.getServerCapabilities() ?? {};
        for (const capability of ['tools', 'resources', 'prompts', 'completions']) {
            expect(capabilities[capability], `the server does not declare ${capability}: ${JSON.stringify(capabilities)}`);
        }
        expect(capabilities.resources.subscribe, `the server does not declare resources.subscribe`);
    });

    await check('tools/list lists the demo tools', async () => {
        const result = await client.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
        listed = result.tools.map((tool) => tool.name).sort();
        const missing = DEMO_TOOLS.filter((name) => !listed.includes(name));
        expect(missing.length === 0, `missing ${missing.join(', ')} (listed: ${listed.join(', ')})`);
        for (const tool of result.tools) {
            expectEqual(tool.inputSchema?.type, 'object', `inputSchema.type of ${tool.name}`);
        }
    });

    await check('echo returns its text', async () => {
        expectEqual(text(await callTool('echo', { text: 'hello from typescript' })), 'hello from typescript', 'echo text');
    });

    await check('add returns the structured sum', async () => {
        const result = await callTool('add', { a: 2, b: 40 });
        expectEqual(result.structuredContent, { sum: 42 }, 'add structuredContent');
        expectEqual(JSON.parse(text(result)), { sum: 42 }, 'add text content, parsed as JSON');
    });

    await check('long_task reports progress 1..3 of 3, before its result', async () => {
        const since = wire.length;
        const delivered = [];
        const result = await callTool('long_task', { steps: 3, delay_ms: 50 }, { onprogress: (p) => delivered.push(p) });
        expectEqual(text(result), 'completed 3 steps', 'long_task result');
        const expected = [1, 2, 3].map((i) => ({ progress: i, total: 3, message: `step ${i} of 3` }));
        // What the server sent: every step's notification, all before the response.
        const messages = wire.slice(since);
        const response = messages.findIndex((message) => message.id !== undefined && 'result' in message);
        expect(response >= 0, 'the response is not among the messages received');
        const sent = messages.filter((message) => message.method === 'notifications/progress');
        expectEqual(
            sent.map(({ params: { progress, total, message } }) => ({ progress, total, message })),
            expected,
            'notifications/progress on the wire',
        );
        expect(
            sent.every((message) => messages.indexOf(message) < response && message.params.progressToken === messages[response].id),
            `progress does not all precede the response or carry its token: ${JSON.stringify(messages)}`,
        );
        // What the SDK handed to `onprogress`: it dispatches notifications a microtask late, so a
        // final notification read in the same chunk as the response can be lost
        // (modelcontextprotocol/typescript-sdk#2580); the steps before it always arrive.
        const seen = delivered.map(({ progress, total, message }) => ({ progress, total, message }));
        expect(seen.length >= 2, `onprogress saw ${JSON.stringify(seen)}`);
        expectEqual(seen, expected.slice(0, seen.length), 'progress handed to onprogress');
    });

    await check('long_task cancelled through an AbortSignal counts as cancelled', async () => {
        const before = await stats();
        const controller = new AbortController();
        const reason = 'interop cancels after the first progress';
        let progress = 0;
        const outcome = await callTool('long_task', { steps: 50, delay_ms: 100 }, {
            signal: controller.signal,
            onprogress: () => {
                progress += 1;
                controller.abort(reason);
            },
        }).then(
            (result) => `completed: ${JSON.stringify(result)}`,
            // The SDK rejects with the abort reason wrapped in an McpError.
            (error) => (String(error?.message).endsWith(reason) ? 'aborted' : `failed: ${error}`),
        );
        expectEqual(outcome, 'aborted', 'outcome of the aborted call');
        expect(progress >= 1, 'no progress arrived before the abort');
        // The server learns of the cancellation through notifications/cancelled; give it a moment.
        const deadline = Date.now() + NOTIFICATION_TIMEOUT_MS;
        let after = await stats();
        while (after.cancelled === before.cancelled && Date.now() < deadline) {
            await sleep(50);
            after = await stats();
        }
        expectEqual(after.cancelled, before.cancelled + 1, `task_stats cancelled (before: ${JSON.stringify(before)})`);
        expectEqual(after.started, before.started + 1, 'task_stats started');
        expectEqual(after.completed, before.completed, 'task_stats completed');
    });

    await check('task_stats counts started, completed and cancelled tasks', async () => {
        const before = await stats();
        expectEqual(text(await callTool('long_task', { steps: 2, delay_ms: 0 })), 'completed 2 steps', 'long_task result');
        const after = await stats();
        expectEqual(after, { ...before, started: before.started + 1, completed: before.completed + 1 }, 'task_stats');
    });

    await check('ask_user elicitation is answered by the handler', async () => {
        const since = elicitations.length;
        const answer = text(await callTool('ask_user', { question: 'Which client is this?' }));
        const asked = elicitations.slice(since);
        expectEqual(asked.length, 1, 'number of elicitation requests');
        expect((asked[0].mode ?? 'form') === 'form', `elicitation mode is ${asked[0].mode}`);
        const schema = asked[0].requestedSchema;
        expectEqual(schema?.properties?.answer?.type, 'string', 'requestedSchema.properties.answer.type');
        expect(schema.required?.includes('answer'), `answer is not required: ${JSON.stringify(schema)}`);
        expect(answer.includes(ANSWER), `the result does not contain the answer: ${JSON.stringify(answer)}`);
    });

    const via = standalone ? 'resources/subscribe, standalone GET stream' : 'resources/subscribe';
    const incrementer = peer ? 'increment by another client' : 'increment';
    await check(`${incrementer} notifies demo://counter updated (${via})`, async () => {
        await client.subscribeResource({ uri: 'demo://counter' }, { timeout: REQUEST_TIMEOUT_MS });
        const value = Number(await readText('demo://counter'));
        expect(Number.isInteger(value), 'demo://counter is not an integer');
        const since = updates.length;
        const streamed = standalone?.length ?? 0;
        const result = peer ? await callToolFromPeer('increment', {}) : await callTool('increment', {});
        expectEqual(text(result), `counter is now ${value + 1}`, 'increment result');
        await waitForUpdate('demo://counter', since);
        if (standalone) {
            // The script reads the GET stream alongside the transport: allow it a moment to catch up.
            const update = (m) => m.method === 'notifications/resources/updated' && m.params?.uri === 'demo://counter';
            const deadline = Date.now() + NOTIFICATION_TIMEOUT_MS;
            while (!standalone.slice(streamed).some(update)) {
                expect(
                    Date.now() < deadline,
                    `the update did not come on the standalone GET stream (it carried ${JSON.stringify(standalone.slice(streamed))})`,
                );
                await sleep(10);
            }
        }
        expectEqual(await readText('demo://counter'), String(value + 1), 'demo://counter after increment');
        await client.unsubscribeResource({ uri: 'demo://counter' }, { timeout: REQUEST_TIMEOUT_MS });
    });

    await check('post_message appends to demo://board and notifies it', async () => {
        await client.subscribeResource({ uri: 'demo://board' }, { timeout: REQUEST_TIMEOUT_MS });
        const message = `hello board from typescript ${process.pid}`;
        const since = updates.length;
        text(await callTool('post_message', { text: message, author: 'interop' }));
        await waitForUpdate('demo://board', since);
        const board = await readText('demo://board');
        expect(board.includes(message), `demo://board does not contain the message: ${JSON.stringify(board)}`);
    });

    await check('resources/list and resources/templates/list', async () => {
        const resources = await client.listResources(undefined, { timeout: REQUEST_TIMEOUT_MS });
        const uris = resources.resources.map((resource) => resource.uri);
        for (const uri of ['demo://counter', 'demo://board']) {
            expect(uris.includes(uri), `resources/list lacks ${uri}: ${JSON.stringify(uris)}`);
        }
        const templates = await client.listResourceTemplates(undefined, { timeout: REQUEST_TIMEOUT_MS });
        const patterns = templates.resourceTemplates.map((template) => template.uriTemplate);
        expect(patterns.includes('notes://{name}'), `resources/templates/list lacks notes://{name}: ${JSON.stringify(patterns)}`);
    });

    await check('resources/read demo://counter and notes://welcome', async () => {
        expect(/^-?\d+$/.test(await readText('demo://counter')), 'demo://counter is not an integer');
        const note = await readText('notes://welcome');
        expect(note.trim().length > 0, 'notes://welcome is empty');
    });

    await check('prompts/get summarize', async () => {
        const input = 'The quick brown fox jumps over the lazy dog.';
        const prompts = await client.listPrompts(undefined, { timeout: REQUEST_TIMEOUT_MS });
        const summarize = prompts.prompts.find((prompt) => prompt.name === 'summarize');
        expect(summarize, `prompts/list lacks summarize: ${JSON.stringify(prompts.prompts.map((p) => p.name))}`);
        expect(
            summarize.arguments?.some((argument) => argument.name === 'text' && argument.required),
            `summarize does not require text: ${JSON.stringify(summarize.arguments)}`,
        );
        const result = await client.getPrompt(
            { name: 'summarize', arguments: { text: input, style: 'bullet-points' } },
            { timeout: REQUEST_TIMEOUT_MS },
        );
        expect(result.messages.length > 0, 'the prompt has no messages');
        const texts = result.messages.filter((m) => m.content.type === 'text').map((m) => m.content.text);
        expect(texts.some((t) => t.includes(input)), `no message contains the text: ${JSON.stringify(result.messages)}`);
    });

    await check('completion/complete notes://{name} offers welcome for "w"', async () => {
        const result = await client.complete(
            { ref: { type: 'ref/resource', uri: 'notes://{name}' }, argument: { name: 'name', value: 'w' } },
            { timeout: REQUEST_TIMEOUT_MS },
        );
        const values = result.completion.values;
        expect(values.includes('welcome'), `completion values lack welcome: ${JSON.stringify(values)}`);
        expect(values.every((value) => value.startsWith('w')), `a completion does not start with w: ${JSON.stringify(values)}`);
    });

    await check('every listed tool was called', async () => {
        expect(listed.length > 0, 'tools/list gave no tools');
        const uncalled = listed.filter((name) => !called.has(name));
        expect(uncalled.length === 0, `listed but never called: ${uncalled.join(', ')}`);
    });

    await client.close();
    console.log(`${label}: ${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
}
