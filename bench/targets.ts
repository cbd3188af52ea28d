/**
 * Peers the bench measures, each a separate process on loopback:
 *  - `startShadowfig`: the proxy via its CLI (`src/cli.ts` under tsx, or `dist/cli.js` with
 *    `entry: 'dist'`), config written to a temp dir, ready when admin GET /readyz answers 200.
 *  - shadow-side counters scraped from admin /metrics (mirror outcomes, verdicts), so a run
 *    can show that mirroring and comparing really happened on every request.
 * nginx lives in nginx.ts; both return a `Target`.
 */
import type { Entry } from './build.js'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'
import YAML from 'yaml'
import { request } from 'undici'
import { closedPort } from './backends.js'
import type { BackendSpec } from './faults/servers.js'
import { benchFile, spawnNode, stop, waitForLine, type Placement } from './proc.js'
import { shadowfigConfig, parseCounters, type ShadowMode, type Upstreams } from './configs.js'

export type { ShadowMode, Upstreams }

export interface Target {
  name: string
  port: number
  pid: number
  /** Shadow-side counters since start (empty for peers that have none). */
  counters (): Promise<Record<string, number>>
  stop (): Promise<void>
}

export interface ShadowfigOptions {
  shadow: ShadowMode
  upstreams: Upstreams
  /** The route's comparator chain; the config's default (status, headers, json) when absent. */
  comparators?: string[]
  /** The route's shadow.dispatch; the config's default (parallel) when absent. */
  dispatch?: 'parallel' | 'after-primary'
  workers?: number
  where?: Placement
  entry?: Entry
  /** The checkout whose build runs (`--baseline`); this one when absent. */
  root?: string
  /** More node flags for the proxy, e.g. --trace-gc-nvp (bench/gc-trace.ts) or a profiler's (proc.ts `profilingArgs`). */
  nodeArgs?: string[]
  /** Receives the proxy's stdout (ignored when absent). */
  onStdout?: (text: string) => void
  /** Writes the whole config instead of the one-route scenario config (the fault matrix's routes). */
  config?: (port: number, adminPort: number, diffsFile: string) => object
}

/** A shadowfig peer: a `Target` whose whole /metrics text can be read. */
export interface ShadowfigTarget extends Target {
  metrics (): Promise<string>
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Polls `url` until it answers 200, or rejects after `timeoutMs` / when `child` exits. */
export async function waitReady (url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${url} was ready`)
    try {
      const res = await request(url)
      await res.body.dump()
      if (res.statusCode === 200) return
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`)
}

/** A process (backend-main.ts) serving `specs`; resolves with their ports, in order. */
export async function startBackendProcess (specs: BackendSpec[], where: Placement = {}): Promise<{ ports: number[], stop: () => Promise<void> }> {
  const child = spawnNode(benchFile('backend-main.ts'), [JSON.stringify(specs)], where)
  try {
    const m = await waitForLine(child, /"ports":\[([\d,]*)\]/)
    return { ports: (m[1] as string).split(',').map(Number), stop: () => stop(child) }
  } catch (err) {
    await stop(child)
    throw err
  }
}

/**
 * The bench's backends as two processes of their own (the primary; the candidate and the 2 s
 * candidate) and a port that refuses connections (the down candidate).
 */
export async function startBackendProcesses (where: Placement = {}): Promise<{ upstreams: Upstreams, stop: () => Promise<void> }> {
  const started = await Promise.allSettled([
    startBackendProcess([{ variant: 'primary' }], where),
    startBackendProcess([{ variant: 'candidate' }, { variant: 'candidate', latencyMs: 2000 }], where),
  ])
  const running = started.flatMap((s) => s.status === 'fulfilled' ? [s.value] : [])
  const stopAll = async (): Promise<void> => { await Promise.all(running.map((r) => r.stop())) }
  const [primary, candidate] = running
  if (!primary || !candidate) {
    await stopAll()
    throw (started.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason
  }
  return { upstreams: { primary: primary.ports[0] as number, candidate: candidate.ports[0] as number, slow: candidate.ports[1] as number, down: await closedPort() }, stop: stopAll }
}

/**
 * A peer with no shadow-side counters (nginx, the Node floor), once it answers on `port`: ready
 * when GET /json/16 through it answers 200; stopped with `cleanup` if it never does.
 */
export async function plainPeer (name: string, port: number, child: ChildProcess, cleanup: () => Promise<void>): Promise<Target> {
  try {
    await waitReady(`http://127.0.0.1:${port}/json/16`, child)
  } catch (err) {
    await cleanup()
    throw err
  }
  return { name, port, pid: child.pid as number, counters: async () => ({}), stop: cleanup }
}

export async function startShadowfig (o: ShadowfigOptions): Promise<ShadowfigTarget> {
  const dir = mkdtempSync(path.join(tmpdir(), 'shadowfig-bench-'))
  const port = await closedPort()
  const adminPort = await closedPort()
  const file = path.join(dir, 'shadowfig.yaml')
  writeFileSync(file, YAML.stringify((o.config ?? ((p, a, d) => shadowfigConfig(o, p, a, d)))(port, adminPort, path.join(dir, 'diffs.ndjson'))))
  const args = ['--config', file, ...(o.workers && o.workers > 1 ? ['--workers', String(o.workers)] : [])]
  const nodeArgs = o.nodeArgs ?? []
  const stdout = o.onStdout ? 'pipe' : 'ignore'
  const root = o.root ?? ROOT
  const child = o.entry === 'dist'
    ? spawnNode(path.join(root, 'dist/cli.js'), args, { ...o.where, nodeArgs, stdout, tsx: false })
    : spawnNode(path.join(root, 'src/cli.ts'), args, { ...o.where, nodeArgs, stdout })
  if (o.onStdout) child.stdout?.setEncoding('utf8').on('data', o.onStdout)
  const cleanup = async (): Promise<void> => { await stop(child, 10_000); rmSync(dir, { recursive: true, force: true }) }
  try {
    await waitReady(`http://127.0.0.1:${adminPort}/readyz`, child)
  } catch (err) {
    await cleanup()
    throw err
  }
  const metrics = async (): Promise<string> => await (await request(`http://127.0.0.1:${adminPort}/metrics`)).body.text()
  return {
    name: o.workers && o.workers > 1 ? `shadowfig×${o.workers}` : 'shadowfig',
    port,
    pid: child.pid as number,
    metrics,
    async counters () { return parseCounters(await metrics()) },
    stop: cleanup,
  }
}
