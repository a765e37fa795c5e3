/**
 * `npm run verify -- --stack <name>` or `npm run verify -- --outputs <file.json>`:
 * checks a deployed stack from the outside (API health, Redis PING with auth and TLS,
 * Redis persistence, and on Docker the engine and the stack's containers, printing an unhealthy
 * one's probes and log tail) and prints a table. Exit 0 when every check passes, 1 when one
 * fails, 2 when the command itself cannot run. No secret is ever printed.
 * The checks live in verify/ (verify/index.ts); this file is only the command line.
 */
import { verifyMain } from "../verify";

void verifyMain(process.argv.slice(2)).then((code) => process.exit(code));
