/**
 * The IPC messages between the cluster primary and its workers (node:cluster channel).
 *
 * Primary → worker: a `Request` carries an `id`; the worker answers exactly once with a
 * `Reply` of the same id (`ok: false` with a message when the handler threw). `applyTrip`,
 * `sync` and `shutdown` are fire-and-forget. Worker → primary: `ready` once App.start
 * resolved, `failed` when it could not start (bad config: the worker then exits 1), and
 * `trip` when one of its split guards tripped, `step` when one of its climbs stepped (the
 * primary relays both to every other worker: one decision for the whole cluster).
 * Every message carries `shadowfig: true`, so anything else on the channel is ignored.
 */
import type { Registry } from 'prom-client'
import type { ReloadResult } from '../app.js'
import type { Report } from '../report/reporter.js'
import type { Sample } from '../report/samples.js'
import type { StatsSnapshot } from '../report/route-stats.js'
import type { WindowName } from '../report/windows.js'
import type { SetWeightResult, SplitStatus } from '../split/registry.js'
import type { SplitTrip } from '../split/controller.js'
import type { PromoteResult } from '../split/climb.js'

/** What a worker needs to start (passed in its environment as JSON). */
export interface WorkerOptions {
  configFile: string
  port?: number
  logLevel?: string
  compareThreads: number
  /** The worker's slot (0..N-1), stable across its restarts: names its sample file. */
  slot?: number
}

export const WORKER_OPTIONS_ENV = 'SHADOWFIG_CLUSTER_WORKER'

export type Request =
  | { shadowfig: true, id: number, op: 'reload', reason: string }
  | { shadowfig: true, id: number, op: 'setSplit', route: string, weight: number }
  | { shadowfig: true, id: number, op: 'status' }
  | { shadowfig: true, id: number, op: 'report', window?: WindowName }
  | { shadowfig: true, id: number, op: 'sample', sampleId: string }
  | { shadowfig: true, id: number, op: 'metrics' }
  | { shadowfig: true, id: number, op: 'promote', route: string, to?: number, force?: boolean }

/** The answer each request op gets back. */
export interface Answers {
  reload: ReloadResult
  setSplit: SetWeightResult
  status: Record<string, SplitStatus>
  /** The worker's report, its first stored sample per signature (for the page), and its raw figures per route. */
  report: { report: Report, samples: Sample[], stats: Record<string, StatsSnapshot> }
  sample: Sample | null
  /** `registry.getMetricsAsJSON()` of the worker's registry, aggregator names included. */
  metrics: MetricJson[]
  promote: PromoteResult
}

export type MetricJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number]

export type Op = Request['op']

export type Reply =
  | { shadowfig: true, type: 'reply', id: number, ok: true, value: unknown }
  | { shadowfig: true, type: 'reply', id: number, ok: false, error: string }

export type Notice =
  | { shadowfig: true, type: 'applyTrip', route: string, trip: SplitTrip }
  /** A climb step decided by one worker, for the others to follow. */
  | { shadowfig: true, type: 'applyStep', route: string, to: number }
  /** Live split state of a running peer, for a worker that just (re)started. */
  | { shadowfig: true, type: 'sync', status: Record<string, SplitStatus> }
  | { shadowfig: true, type: 'shutdown', reason: string }

export type WorkerEvent =
  | { shadowfig: true, type: 'ready', proxyPort: number, hash: string, drainTimeout: number }
  | { shadowfig: true, type: 'failed', errors: string[], exitCode: number }
  | { shadowfig: true, type: 'trip', route: string, trip: SplitTrip }
  | { shadowfig: true, type: 'step', route: string, to: number }
  | Reply

export function isOurs (m: unknown): m is { shadowfig: true } {
  return typeof m === 'object' && m !== null && (m as { shadowfig?: unknown }).shadowfig === true
}
