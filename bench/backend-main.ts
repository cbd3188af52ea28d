/**
 * Process entry for backends: `node --import tsx bench/backend-main.ts '<BackendOptions[]>'`
 * starts each backend, prints `{"ports":[…]}` (same order) on one line, and serves until
 * SIGTERM/SIGINT, then closes them and exits 0.
 */
import { startBackend, type BackendOptions } from './backends.js'

const specs = JSON.parse(process.argv[2] as string) as BackendOptions[]
const running = await Promise.all(specs.map(startBackend))
process.stdout.write(JSON.stringify({ ports: running.map((b) => b.port) }) + '\n')
const shutdown = (): void => { void Promise.all(running.map((b) => b.close())).then(() => process.exit(0)) }
process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)
