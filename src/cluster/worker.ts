/**
 * Entry of one `--workers N` cluster worker: runs a full App (proxy, compare pool sized by
 * the primary, reporter) on the shared listening port and answers the primary over IPC.
 *
 * Contract with the primary (see protocol.ts):
 *  - no admin server (the primary serves the admin port) and no signal handlers of App's:
 *    SIGINT and SIGHUP reach the whole process group from a terminal, so they are ignored
 *    here and the primary coordinates; a SIGTERM sent to this process alone drains it (the
 *    primary then replaces it);
 *  - `ready` is sent after App.start resolved, `failed` (then exit 1) when it could not start;
 *  - every Request gets exactly one Reply; `shutdown` drains, then exits 0;
 *  - a split guard trip here is reported as `trip`; `applyTrip` adopts one from a peer.
 * Metrics travel as `metrics` requests (registry JSON) that the primary aggregates with
 * prom-client's AggregatorRegistry.aggregate; see primary-admin.ts for why not clusterMetrics.
 */
import { App } from '../app.js'
import { ShadowfigError } from '../errors.js'
import type { Sample } from '../report/samples.js'
import { isOurs, WORKER_OPTIONS_ENV, type Answers, type Notice, type Request, type WorkerEvent, type WorkerOptions } from './protocol.js'

const send = (m: WorkerEvent): void => { if (process.connected) process.send?.(m) }

const opts = JSON.parse(process.env[WORKER_OPTIONS_ENV] ?? '{}') as WorkerOptions
process.on('SIGINT', () => {})
process.on('SIGHUP', () => {})

let app: App
try {
  app = await App.start({
    configFile: opts.configFile,
    port: opts.port,
    logLevel: opts.logLevel,
    compareThreads: opts.compareThreads,
    sampleFileName: opts.slot === undefined ? undefined : `samples-${opts.slot}.ndjson`,
    admin: false,
    signals: false,
    watch: false, // the primary watches the file and fans the reload out, once for all
    onSplitTrip: (route, trip) => send({ shadowfig: true, type: 'trip', route, trip }),
    onSplitStep: (route, to) => send({ shadowfig: true, type: 'step', route, to }),
  })
} catch (err) {
  // As the single-process CLI: any SHADOWFIG_ERR_CONFIG is bad input (exit 1), one line per issue.
  const badConfig = err instanceof ShadowfigError && err.code === 'SHADOWFIG_ERR_CONFIG'
  const errors = badConfig ? err.message.split('\n') : [`failed to start: ${(err as Error).message}`]
  send({ shadowfig: true, type: 'failed', errors, exitCode: badConfig ? 1 : 2 })
  process.exit(badConfig ? 1 : 2)
}

const stop = (reason: string): void => {
  void app.shutdown(reason).then(() => process.exit(0), () => process.exit(2))
}
process.once('SIGTERM', () => stop('SIGTERM'))

process.on('message', (m: unknown) => {
  if (!isOurs(m)) return
  const msg = m as Request | Notice
  if ('id' in msg) {
    answer(msg).then(
      (value) => send({ shadowfig: true, type: 'reply', id: msg.id, ok: true, value }),
      (err: unknown) => send({ shadowfig: true, type: 'reply', id: msg.id, ok: false, error: (err as Error).message }),
    )
    return
  }
  if (msg.type === 'shutdown') stop(msg.reason)
  else if (msg.type === 'applyTrip') app.splits.get(msg.route)?.applyTrip(msg.trip)
  else if (msg.type === 'applyStep') app.splits.get(msg.route)?.climb?.adopt(msg.to)
  else if (msg.type === 'sync') {
    // A restarted worker adopts the live state of its peers: a trip, or an operator's weight.
    for (const [route, s] of Object.entries(msg.status)) {
      const c = app.splits.get(route)
      if (c === undefined) continue
      if (s.tripped !== null) c.applyTrip(s.tripped)
      else if (c.weight !== s.weight) c.setWeight(s.weight, 'cluster sync')
    }
  }
})

async function answer (req: Request): Promise<Answers[Request['op']]> {
  switch (req.op) {
    case 'reload': return await app.reload(req.reason)
    case 'setSplit': return app.splits.setWeight(req.route, req.weight)
    case 'status': return app.splits.statusByRoute()
    case 'report': {
      const report = app.reporter.report(req.window)
      const samples: Sample[] = []
      for (const r of report.routes) {
        for (const s of r.signatures) {
          const sample = s.sampleIds.map((id) => app.samples.get(id)).find((x) => x !== undefined)
          if (sample !== undefined) samples.push(sample)
        }
      }
      return { report, samples, stats: app.reporter.snapshots(req.window) }
    }
    case 'sample': return app.samples.get(req.sampleId) ?? null
    case 'metrics': return await app.metrics.registry.getMetricsAsJSON()
    case 'promote': return app.splits.promote(req.route, { to: req.to, force: req.force })
  }
}

send({ shadowfig: true, type: 'ready', proxyPort: app.proxyPort, hash: app.proxy.live.hash, drainTimeout: app.proxy.live.config.drainTimeout })
