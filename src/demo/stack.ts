/**
 * Starts the whole demo in this process: the monolith, its second copy (the secondary), the
 * candidate, and shadowfig itself on the packaged `config/demo.yaml`. The backends listen on
 * free loopback ports and reach the config through the DEMO_* variables it interpolates.
 * `close()` stops shadowfig first (drain, workers, diff file), then the backends; it is
 * idempotent. If anything fails to start, what already started is closed before the throw.
 */
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { App } from '../app.js'
import type { Backend } from './http.js'
import { startCandidate } from './candidate.js'
import { startMonolith } from './monolith.js'

/** The packaged demo config: two levels up from src/demo/ and from dist/demo/ alike. */
export const DEMO_CONFIG = fileURLToPath(new URL('../../config/demo.yaml', import.meta.url))

export interface DemoOptions {
  /** Proxy and admin ports (default: the config's, 8080 and 9901; 0 = any free port). */
  port?: number
  adminPort?: number
  /** Diff events file (NDJSON); emptied at start so it holds this run only. */
  diffsFile: string
  compareThreads?: number
  logLevel?: string
  defaultMetrics?: boolean
}

export interface DemoStack {
  app: App
  backends: { monolith: Backend, secondary: Backend, candidate: Backend }
  urls: { proxy: string, report: string, apiReport: string, metrics: string }
  close (): Promise<void>
}

export async function startDemo (opts: DemoOptions): Promise<DemoStack> {
  const started: Backend[] = []
  const closeBackends = async (): Promise<void> => { await Promise.all(started.map((b) => b.close())) }
  try {
    const monolith = await startMonolith()
    started.push(monolith)
    const secondary = await startMonolith({ name: 'monolith-b' })
    started.push(secondary)
    const candidate = await startCandidate()
    started.push(candidate)
    process.env.DEMO_MONOLITH_URL = monolith.url
    process.env.DEMO_SECONDARY_URL = secondary.url
    process.env.DEMO_CANDIDATE_URL = candidate.url
    process.env.DEMO_DIFFS_FILE = opts.diffsFile
    await rm(opts.diffsFile, { force: true })
    const app = await App.start({
      configFile: DEMO_CONFIG,
      port: opts.port,
      adminPort: opts.adminPort,
      logLevel: opts.logLevel,
      compareThreads: opts.compareThreads ?? 1,
      defaultMetrics: opts.defaultMetrics,
      // The demo owns its lifecycle: it handles the signals itself and never edits the config.
      watch: false,
      signals: false,
    })
    const admin = `http://127.0.0.1:${app.adminPort}`
    let closing: Promise<void> | undefined
    return {
      app,
      backends: { monolith, secondary, candidate },
      urls: { proxy: `http://127.0.0.1:${app.proxyPort}`, report: `${admin}/report`, apiReport: `${admin}/api/report`, metrics: `${admin}/metrics` },
      close: () => (closing ??= app.shutdown('demo stopped').then(closeBackends)),
    }
  } catch (err) {
    await closeBackends()
    throw err
  }
}
