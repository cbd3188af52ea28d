/**
 * Capture writers' numbers on /metrics, read at scrape time from each writer's stats:
 *   shadowfig_capture_records_total{route}
 *   shadowfig_capture_dropped_total{route, reason=queue_full|record_too_large|io_error|closed|serialize_error}
 * Recording never slows the proxy, so it drops instead; ops must be able to see that it did.
 * Writers are replaced on reload: deltas are tracked per writer object, so counters never go back.
 */
import { Counter, type Registry } from 'prom-client'
import type { CaptureStats } from '../record/capture.js'

export interface StatsSource { readonly stats: CaptureStats }

export function registerCaptureMetrics (registry: Registry, writers: () => Iterable<[string, StatsSource]>): void {
  const seen = new WeakMap<StatsSource, Map<string, number>>()
  const add = (c: Counter, w: StatsSource, key: string, labels: Record<string, string>, now: number): void => {
    let last = seen.get(w)
    if (last === undefined) { last = new Map(); seen.set(w, last) }
    const delta = now - (last.get(key) ?? 0)
    c.inc(labels, delta > 0 ? delta : 0)
    last.set(key, now)
  }
  // prom-client serializes in registration order: the counter whose collect() updates both is
  // registered first, so `dropped` is current when its own turn comes.
  let dropped: Counter | undefined
  new Counter({ // eslint-disable-line no-new -- registered on construction
    name: 'shadowfig_capture_records_total',
    help: 'Capture records written per route.',
    labelNames: ['route'],
    registers: [registry],
    collect () {
      for (const [route, w] of writers()) {
        const s = w.stats
        add(this, w, 'written', { route }, s.written)
        for (const [reason, n] of Object.entries(s.dropped)) add(dropped as Counter, w, reason, { route, reason }, n)
        add(dropped as Counter, w, 'serialize_error', { route, reason: 'serialize_error' }, s.errors)
      }
    },
  })
  dropped = new Counter({ name: 'shadowfig_capture_dropped_total', help: 'Capture records not written, by reason.', labelNames: ['route', 'reason'], registers: [registry] })
}
