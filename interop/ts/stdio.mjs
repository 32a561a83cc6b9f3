// The official TypeScript SDK client against an mcplex server over stdio (see demo.mjs).
//
// Usage: node stdio.mjs <server program> [server args...]

import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { run } from './demo.mjs';

const [program, ...args] = process.argv.slice(2);
if (!program) {
    console.error('usage: node stdio.mjs <server program> [server args...]');
    process.exit(2);
}
const transport = new StdioClientTransport({ command: program, args, stderr: 'inherit' });
process.exit(await run({ label: 'interop typescript-stdio', target: [program, ...args].join(' '), transport }));
