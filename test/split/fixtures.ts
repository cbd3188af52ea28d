/** Shared test fixtures for split tests: a parsed split config, a log collector, a manual clock. */
import { pino } from 'pino'
import { createAdminServer } from '../../src/admin/server.js'
import { splitSchema } from '../../src/config/schema.js'
import type { SplitConfig } from '../../src/config/schema.js'
import { Metrics } from '../../src/metrics/registry.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { SplitController } from '../../src/split/controller.js'
import type { LatencyRule } from '../../src/report/readiness.js'
import type { SplitRegistry } from '../../src/split/registry.js'

export interface Logged { level: 'warn' | 'info', obj: Record<string, unknown>, msg: string }

export function collector (): { log: { warn (o: object, m: string): void, info (o: object, m: string): void }, lines: Logged[] } {
  const lines: Logged[] = []
  return {
    lines,
    log: {
      warn: (obj, msg) => { lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }) },
      info: (obj, msg) => { lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }) },
    },
  }
}

export function splitConfig (input: Record<string, unknown>): SplitConfig {
  return splitSchema.parse({ to: 'billing-svc', ...input })
}

export interface Harness {
  c: SplitController
  metrics: Metrics
  lines: Logged[]
  clock: { t: number }
}

/** A controller on route `invoices` with a manual clock starting at 1_000_000 ms. */
/** `opts.latency`: the route's `compare.latency` rule (the default when absent). */
export function harness (input: Record<string, unknown>, opts: { route?: string, latency?: LatencyRule } = {}): Harness {
  const metrics = new Metrics({ defaultMetrics: false })
  const { log, lines } = collector()
  const clock = { t: 1_000_000 }
  const c = new SplitController(opts.route ?? 'invoices', splitConfig(input), { metrics, log, now: () => clock.t, latency: opts.latency })
  return { c, metrics, lines, clock }
}

/** Current value of a metric child, e.g. value(metrics.split, { route, target }). */
export async function value (metric: { get (): Promise<{ values: Array<{ value: number, labels: object }> }> }, labels: Record<string, string>): Promise<number | undefined> {
  const { values } = await metric.get()
  return values.find((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))?.value
}

/** A real admin server (token s3cret) steering `reg`; closed at the end of test `t`. Returns its base URL. */
export async function splitAdmin (t: { teardown (fn: () => unknown): void }, reg: SplitRegistry, metrics: Metrics): Promise<string> {
  const samples = new SampleStore()
  const silent = pino({ level: 'silent' })
  const admin = createAdminServer({
    host: '127.0.0.1', port: 0, token: 's3cret', metrics, samples,
    reporter: new Reporter({ metrics, diffs: silent, samples }),
    log: silent,
    hooks: {
      ready: () => true,
      reload: async () => ({ ok: true, hash: 'h' }),
      setSplit: (route, weight) => reg.setWeight(route, weight),
      routeStatus: () => reg.statusByRoute(),
      promote: (route, o) => reg.promote(route, o),
    },
  })
  const { port } = await admin.listen()
  t.teardown(() => admin.close())
  return `http://127.0.0.1:${port}`
}
