/**
 * End to end against a real Prometheus: it scrapes a real admin server every second while
 * Reporter and Metrics move as under mismatching traffic; then every PromQL expression of
 * config/grafana/shadowfig.json must return data. Also `promtool check metrics` on the
 * exposition must pass (exit 0: no lint problems at all).
 */
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { pino } from 'pino'
import { createAdminServer } from '../../src/admin/server.js'
import { Metrics } from '../../src/metrics/registry.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { changed, exchange, result, route } from '../report/fixtures.js'

const PROMETHEUS = '/usr/bin/prometheus'
const PROMTOOL = '/usr/bin/promtool'
const missing = [PROMETHEUS, PROMTOOL].filter((p) => !existsSync(p))
const skip = missing.length > 0 ? `${missing.join(', ')} absent (apt-get install prometheus)` : false

/** Grafana variables as the dashboard would expand them for "All routes, last 5 minutes". */
function expand (expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '1m').replaceAll('$__range', '5m').replaceAll('$route', '.*')
}

function collectExprs (node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) collectExprs(n, out)
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'expr' && typeof v === 'string') out.push(v)
      else collectExprs(v, out)
    }
  }
  return out
}

async function freePort (): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1')
  await once(s, 'listening')
  const { port } = s.address() as { port: number }
  s.close()
  await once(s, 'close')
  return port
}

t.test('dashboard queries return data from a real Prometheus; promtool accepts the exposition', { skip, timeout: 90_000 }, async (t) => {
  const metrics = new Metrics()
  const samples = new SampleStore()
  const silent = pino({ level: 'silent' })
  const reporter = new Reporter({ metrics, diffs: silent, samples })
  reporter.setRoutes([route('order-by-id'), route('invoices')])
  const admin = createAdminServer({ host: '127.0.0.1', port: 0, metrics, reporter, samples, log: silent, hooks: { ready: () => true, reload: async () => ({ ok: true, hash: 'h' }), setSplit: () => ({ ok: false, status: 404, error: '' }) } })
  const { port: adminPort } = await admin.listen()
  t.teardown(() => admin.close())

  // Traffic as the proxy and the comparison engine would report it.
  metrics.configReloads.inc({ result: 'success' })
  metrics.configReloads.inc({ result: 'failure' })
  metrics.configInfo.set({ hash: '9f2c01ab' }, 1)
  metrics.splitWeight.set({ route: 'invoices' }, 0.05)
  let tick = 0
  const drive = (): void => {
    tick++
    for (const r of ['order-by-id', 'invoices']) {
      metrics.requests.inc({ route: r, method: 'GET', code_class: '2xx' })
      metrics.upstreamDuration.observe({ route: r, role: 'primary' }, 0.004 + (tick % 5) / 1000)
      metrics.upstreamDuration.observe({ route: r, role: 'candidate' }, 0.0025 + (tick % 7) / 1000)
      metrics.mirror.inc({ route: r, outcome: 'sent' })
      if (tick % 3 === 0) metrics.mirror.inc({ route: r, outcome: 'saturated' })
      const ex = exchange(r)
      const fields = tick % 2 === 0 ? [changed('$.total', 1234.56, 1234.5)] : [changed('$.total', 1, 2), changed('$.items[*].sku', 'a', 'b', '$.items[0].sku')]
      reporter.record(result(ex, tick % 4 === 0 ? 'match' : 'mismatch', fields), ex)
    }
    metrics.split.inc({ route: 'invoices', target: tick % 20 === 0 ? 'candidate' : 'primary' })
    // A climb stepping back and forth every two seconds: the annotation query sees steps.
    metrics.splitWeight.set({ route: 'invoices' }, tick % 40 < 20 ? 0.05 : 0.2)
    if (tick % 5 === 0) metrics.upstreamErrors.inc({ route: 'order-by-id', role: 'candidate', code: 'SHADOWFIG_ERR_UPSTREAM_TIMEOUT' })
    metrics.mirrorInFlight.set(tick % 4)
  }
  drive()
  const timer = setInterval(drive, 100)
  t.teardown(() => clearInterval(timer))

  // promtool on the live exposition.
  const exposition = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text()
  const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8' })
  t.equal(check.status, 0, `promtool check metrics: ${(check.stdout + check.stderr).trim() || 'no problems'}`)

  // A real Prometheus scraping every second.
  const dir = await mkdtemp(join(tmpdir(), 'sf-prom-'))
  const promPort = await freePort()
  await writeFile(join(dir, 'prometheus.yml'), [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: shadowfig',
    `    static_configs: [{ targets: ['127.0.0.1:${adminPort}'] }]`,
  ].join('\n'))
  const prom = spawn(PROMETHEUS, [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  let promErr = ''
  prom.stderr.on('data', (c: Buffer) => { promErr += c.toString() })
  t.teardown(async () => {
    if (prom.exitCode === null) { prom.kill('SIGTERM'); await once(prom, 'exit') }
    await rm(dir, { recursive: true, force: true })
  })
  const base = `http://127.0.0.1:${promPort}`
  const query = async (q: string): Promise<{ status: string, data: { result: unknown[] } }> =>
    (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`)).json() as Promise<{ status: string, data: { result: unknown[] } }>

  const deadline = Date.now() + 45_000
  const until = async (what: string, ok: () => Promise<boolean>): Promise<boolean> => {
    while (Date.now() < deadline) {
      try { if (await ok()) return true } catch { /* not up yet */ }
      await sleep(250)
    }
    t.fail(`timed out waiting for ${what}; prometheus stderr: ${promErr.slice(-500)}`)
    return false
  }
  // rate() needs two scrapes inside its window: wait for three.
  if (!await until('three scrapes', async () => {
    const r = await query('count_over_time(shadowfig_comparisons_total{verdict="mismatch",route="order-by-id"}[1m])')
    return Number((r.data.result[0] as { value: [number, string] } | undefined)?.value[1] ?? 0) >= 3
  })) return

  const dashboard = JSON.parse(await readFile(new URL('../../config/grafana/shadowfig.json', import.meta.url), 'utf8')) as unknown
  const exprs = collectExprs(dashboard)
  t.ok(exprs.length >= 15, `${exprs.length} PromQL expressions in the dashboard`)
  for (const expr of exprs) {
    let last: unknown
    const ok = await until(expr, async () => {
      const r = await query(expand(expr))
      last = r
      return r.status === 'success' && r.data.result.length > 0
    })
    t.ok(ok, `returns data: ${expr}`, ok ? {} : { last })
  }
  t.ok(exprs.some((e) => e.includes('shadowfig_split_weight_ratio') && e.includes('changes(')), 'split weight steps are annotated')
  const ready = await query('shadowfig_route_ready')
  t.same((ready.data.result as Array<{ metric: { route: string }, value: [number, string] }>).map((r) => [r.metric.route, r.value[1]]).sort(), [['invoices', '0'], ['order-by-id', '0']], 'mismatching routes are not ready')
  const labels = await (await fetch(`${base}/api/v1/label/route/values?match[]=shadowfig_comparisons_total`)).json() as { data: string[] }
  t.same(labels.data.sort(), ['invoices', 'order-by-id'], 'the $route variable query finds the routes')
})
