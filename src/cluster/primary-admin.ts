/**
 * The admin port of a --workers cluster, served by the primary with the same
 * createAdminServer (same routes, auth, errors) as a single process; its hooks fan out over
 * IPC to the ready workers:
 *  - `/metrics`: every ready worker's registry as JSON, merged by prom-client's
 *    AggregatorRegistry.aggregate (each metric's `aggregator`: counters and histograms sum,
 *    in-flight gauges sum, split weight and config_info max, default metrics as prom-client
 *    sets them), plus the primary's own `shadowfig_cluster_workers`,
 *    `shadowfig_cluster_worker_restarts_total` and `shadowfig_config_reloads_total` (one
 *    reload is one fan-out: counted once here, the workers' own counts are left out of the
 *    sum, which would count it once per worker). Not `clusterMetrics()`: it asks
 *    every *connected* worker, and one still loading (no listener yet) or busy dying makes
 *    the whole scrape wait 5 s and fail.
 *  - `/readyz`: 200 only while every worker is up and the cluster is not draining.
 *  - `POST /api/reload`: all ready workers reload; 200 only if all succeed, else 400 with the
 *    (deduplicated) errors. `POST /api/routes/:name/split`: all ready workers set the weight.
 *    `POST /api/routes/:name/promote`: the first ready worker decides, the others follow it.
 *  - `/api/report`, `/report`: the workers' reports merged (merge.ts); the samples they name
 *    are copied into a primary-side SampleStore for the page; `/api/diffs/:id` asks the
 *    workers for ids that store does not hold.
 */
import type { Worker } from 'node:cluster'
import type { Logger } from 'pino'
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client'
import type { ReloadResult } from '../app.js'
import { createAdminServer, type AdminServer } from '../admin/server.js'
import { CONFIG_RELOADS } from '../metrics/registry.js'
import type { Report } from '../report/reporter.js'
import type { WindowName } from '../report/windows.js'
import { SampleStore } from '../report/samples.js'
import type { SetWeightResult } from '../split/registry.js'
import type { PromoteResult } from '../split/climb.js'
import type { Fanout } from './fanout.js'
import { mergeLive, mergeWorkerReports } from './merge.js'
import type { MetricJson } from './protocol.js'
import type { Supervisor } from './supervisor.js'

export interface ClusterAdminOptions {
  host: string
  port: number
  token?: string
  supervisor: Supervisor
  fanout: Fanout
  log: Logger
}

/**
 * A registry whose exposition is the aggregate of the workers' metrics and its own; a metric
 * the primary counts itself replaces the workers' series of that name.
 */
class ClusterRegistry extends Registry {
  constructor (private readonly collect: () => Promise<MetricJson[][]>) { super() }

  override async metrics (): Promise<string> {
    const own = await super.getMetricsAsJSON()
    const mine = new Set(own.map((m) => m.name))
    const workers = (await this.collect()).map((list) => list.filter((m) => !mine.has(m.name)))
    return await AggregatorRegistry.aggregate([own, ...workers]).metrics()
  }
}

export function createClusterAdmin (opts: ClusterAdminOptions): { server: AdminServer, reloadAll (reason: string): Promise<ReloadResult> } {
  const { supervisor: sup, fanout } = opts
  const all = <T>(fn: (w: Worker) => Promise<T>): Promise<Array<PromiseSettledResult<T>>> => Promise.allSettled(sup.ready().map(fn))
  const values = <T>(rs: Array<PromiseSettledResult<T>>): T[] => rs.flatMap((r) => r.status === 'fulfilled' ? [r.value] : [])

  const registry = new ClusterRegistry(async () => values(await all((w) => fanout.ask(w, { op: 'metrics' }))))
  new Gauge({ name: 'shadowfig_cluster_workers', help: 'Cluster workers serving traffic.', registers: [registry], collect () { this.set(sup.ready().length) } })
  let counted = 0
  new Counter({
    name: 'shadowfig_cluster_worker_restarts_total', help: 'Workers replaced after an unexpected exit.', registers: [registry],
    collect () { this.inc(sup.restarts - counted); counted = sup.restarts },
  })

  const reloads = new Counter({ ...CONFIG_RELOADS, registers: [registry] })
  const reloadAll = async (reason: string): Promise<ReloadResult> => {
    const r = await fanOutReload(reason)
    reloads.labels(r.ok ? 'success' : 'failure').inc()
    return r
  }
  const fanOutReload = async (reason: string): Promise<ReloadResult> => {
    const rs = await all((w) => fanout.ask(w, { op: 'reload', reason }))
    if (rs.length === 0) return { ok: false, errors: ['no worker is running'] }
    const errors = new Set<string>()
    const hashes = new Set<string>()
    for (const r of rs) {
      if (r.status === 'rejected') errors.add((r.reason as Error).message)
      else if (!r.value.ok) for (const e of r.value.errors) errors.add(e)
      else hashes.add(r.value.hash)
    }
    if (errors.size > 0) return { ok: false, errors: [...errors] }
    // Two hashes: the file changed between two workers' reads; each runs a valid config.
    if (hashes.size > 1) opts.log.warn({ event: 'shadowfig.cluster.reload_skew', hashes: [...hashes] }, 'workers loaded different versions of the config file')
    return { ok: true, hash: [...hashes][0] }
  }

  const setSplit = async (route: string, weight: number): Promise<SetWeightResult | { ok: false, status: number, error: string }> => {
    const rs = await all((w) => fanout.ask(w, { op: 'setSplit', route, weight }))
    if (rs.length === 0) return { ok: false, status: 503, error: 'no worker is running' }
    const failed = rs.find((r) => r.status === 'rejected')
    if (failed !== undefined) return { ok: false, status: 503, error: String((failed as PromiseRejectedResult).reason) }
    const results = values(rs)
    return results.find((r) => !r.ok) ?? results[0]
  }

  // One decision: the first ready worker judges readiness on its window; the others take the
  // weight it moved to (so a peer with fewer samples cannot leave the cluster split in two).
  const promote = async (route: string, o: { to?: number, force?: boolean }): Promise<PromoteResult | { ok: false, status: number, error: string }> => {
    const [first, ...rest] = sup.ready()
    if (first === undefined) return { ok: false, status: 503, error: 'no worker is running' }
    const r = await fanout.ask(first, { op: 'promote', route, ...o })
    if (r.ok) await Promise.allSettled(rest.map((w) => fanout.ask(w, { op: 'setSplit', route, weight: r.to })))
    return r
  }

  const samples = new SampleStore()
  const report = async (window: WindowName = 'all'): Promise<Report> => {
    const parts = values(await all((w) => fanout.ask(w, { op: 'report', window })))
    samples.clear()
    for (const p of parts) for (const s of p.samples) samples.add(s)
    return mergeWorkerReports(parts, window)
  }

  const server = createAdminServer({
    host: opts.host,
    port: opts.port,
    token: opts.token,
    metrics: { registry },
    reporter: { report },
    samples,
    log: opts.log,
    hooks: {
      ready: () => sup.allReady(),
      reload: () => reloadAll('admin'),
      setSplit,
      promote,
      routeStatus: async () => mergeLive(values(await all((w) => fanout.ask(w, { op: 'status' })))),
      sample: async (id) => values(await all((w) => fanout.ask(w, { op: 'sample', sampleId: id }))).find((s) => s !== null) ?? undefined,
    },
  })
  return { server, reloadAll }
}
