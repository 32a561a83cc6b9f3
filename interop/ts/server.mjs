// Starts an mcplex network server for an interop script and stops it again, whatever happens.
//
// The server must print `mcplex <transport> listening on <addr>` on stderr when it is ready (pass
// it a bind address with port 0 to get a free port). Its stderr is passed through.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const READY = /^mcplex \S+ listening on (\S+)$/;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts `program args...`, waits for its ready line, calls `session(address)`, and stops the
 * server (SIGTERM, then SIGKILL after a grace period); it is killed as well if this process exits
 * early.
 *
 * @param {string} program the server binary
 * @param {string[]} args its arguments
 * @param {(address: string) => Promise<number>} session runs the checks, returns the exit code
 * @returns {Promise<number>} the exit code of `session`, or 1 when the server did not start
 */
export async function withServer(program, args, session) {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const running = () => child.exitCode === null && child.signalCode === null;
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`)));
    const kill = () => {
        if (running()) {
            child.kill('SIGKILL');
        }
    };
    process.once('exit', kill);
    let address;
    try {
        address = await new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no ready line within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
            child.once('error', reject);
            exited.then((how) => reject(new Error(`it exited (${how}) before it was ready`)));
            createInterface({ input: child.stderr }).on('line', (line) => {
                process.stderr.write(`${line}\n`);
                const ready = READY.exec(line);
                if (ready && !address) {
                    clearTimeout(timer);
                    resolve(ready[1]);
                }
            });
        });
    } catch (error) {
        console.log(`FAIL - start ${[program, ...args].join(' ')}: ${error instanceof Error ? error.message : String(error)}`);
        kill();
        return 1;
    }
    try {
        return await session(address);
    } finally {
        if (running()) {
            child.kill('SIGTERM');
            const timer = setTimeout(kill, STOP_TIMEOUT_MS);
            await exited;
            clearTimeout(timer);
        }
        process.removeListener('exit', kill);
    }
}

/**
 * The program and arguments of a script's command line, or exits with a usage message.
 *
 * @param {string} script the script's file name, for the usage message
 * @returns {[string, string[]]}
 */
export function serverCommand(script) {
    const [program, ...args] = process.argv.slice(2);
    if (!program) {
        console.error(`usage: node ${script} <server program> [server args...]`);
        process.exit(2);
    }
    return [program, args];
}
