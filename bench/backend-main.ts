/**
 * Process entry for backends: `node --import tsx bench/backend-main.ts '<BackendSpec[]>'`
 * starts each backend (well-behaved, or a hostile one of bench/faults/servers.ts), prints
 * `{"ports":[…]}` (same order) on one line, and serves until SIGTERM/SIGINT, then closes them
 * and exits 0.
 */
import { startSpec, type BackendSpec } from './faults/servers.js'

const specs = JSON.parse(process.argv[2] as string) as BackendSpec[]
const running = await Promise.all(specs.map(startSpec))
process.stdout.write(JSON.stringify({ ports: running.map((b) => b.port) }) + '\n')
const shutdown = (): void => { void Promise.all(running.map((b) => b.close())).then(() => process.exit(0)) }
process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)
