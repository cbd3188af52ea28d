/**
 * The demo end to end, in this process: real monolith, secondary and candidate, shadowfig on
 * the packaged config/demo.yaml (proxy and admin on port 0), the demo's own traffic, then the
 * admin API's report. It shows what a newcomer should see: the rounding bug on $.total and
 * the renamed field as mismatching fields on their routes as soon as they are compared, the
 * reordered arrays and the ignored timestamp nowhere, request_id as noise from the first
 * request (the route's secondary differs there too), and the candidate's 2 % failures.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { request } from 'undici'
import { FAILURE_EVERY, truncatedTotal } from '../../src/demo/candidate.js'
import { prng } from '../../src/demo/data.js'
import { startDemo } from '../../src/demo/stack.js'
import { Traffic, nextPath } from '../../src/demo/traffic.js'
import type { AdminReport } from '../../src/admin/server.js'
import type { RouteReport } from '../../src/report/aggregates.js'

const REQUESTS = 300
const SEED = 7
const BATCH = 50

async function getJson<T> (url: string): Promise<T> {
  const res = await request(url)
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${await res.body.text()}`)
  return await res.body.json() as T
}

t.test('the demo shows the candidate\'s real bugs and nothing else', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'shadowfig-demo-test-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const diffsFile = join(dir, 'diffs.ndjson')
  const stack = await startDemo({ port: 0, adminPort: 0, diffsFile, defaultMetrics: false, logLevel: 'error' })
  t.teardown(() => stack.close())

  // The demo's mix, replayed with the same seed: every path but /healthz is shadowed.
  const rnd = prng(SEED)
  const paths = Array.from({ length: REQUESTS }, () => nextPath(rnd))
  const shadowedIn = (n: number): number => paths.slice(0, n).filter((p) => p !== '/healthz').length
  const shadowed = shadowedIn(REQUESTS)
  const compared = async (): Promise<AdminReport> => {
    // Comparisons finish after the responses: wait until every shadowed request so far has a verdict.
    const expected = shadowedIn(traffic.stats.sent)
    const deadline = Date.now() + 30_000
    for (;;) {
      const r = await getJson<AdminReport>(stack.urls.apiReport)
      if (r.routes.reduce((n, x) => n + x.total, 0) >= expected || Date.now() > deadline) return r
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const traffic = new Traffic({ target: stack.urls.proxy, seed: SEED, concurrency: 8 })
  let report = await compared()
  // In batches well under the engine's queue bound (1 thread + 128): a faster burst would
  // (rightly) be skipped as `saturated` while the worker is still loading its modules.
  while (traffic.stats.sent < REQUESTS) {
    await traffic.burst(Math.min(BATCH, REQUESTS - traffic.stats.sent))
    report = await compared()
  }
  await traffic.stop()
  t.equal(traffic.stats.sent, REQUESTS)
  t.equal(traffic.stats.failed, 0, 'the client sees only the monolith: no failures')
  t.notOk(traffic.stats.status[500], 'the candidate\'s 500s never reach the client')

  const byName = new Map(report.routes.map((r) => [r.route, r]))
  const routeOf = (name: string): RouteReport => {
    const r = byName.get(name)
    if (!r) throw new Error(`route ${name} missing from ${JSON.stringify(report.routes.map((x) => x.route))}`)
    return r
  }
  t.equal([...byName.values()].reduce((n, r) => n + r.total, 0), shadowed, 'one verdict per shadowed request')
  t.notOk(byName.has('everything-else'), 'unshadowed routes have no verdicts')
  const fieldsOf = (r: RouteReport): string[] => r.topFields.map((f) => f.field)
  const allFields = [...byName.values()].flatMap((r) => [...fieldsOf(r), ...r.signatures.flatMap((s) => s.fields)])

  t.same([...byName.values()].map((r) => [r.route, r.undecided]), [...byName.keys()].map((name) => [name, 0]), 'every verdict is final as soon as its comparison is done')

  // order-by-id has no secondary and its requests rarely repeat: nothing suggests the primary
  // varies at $.total, so each discounted order is a mismatch on its own exchange at once.
  const orders = routeOf('order-by-id')
  t.same(fieldsOf(orders), ['$.total'], 'the rounding bug is the only field on order-by-id')
  t.ok(orders.verdicts.mismatch > 0, `$.total found (${orders.verdicts.mismatch})`)
  t.ok(orders.verdicts.match > orders.verdicts.mismatch, 'most orders are not discounted and match')
  t.equal(orders.verdicts.skipped, 0)

  const list = routeOf('orders-by-user')
  t.same(fieldsOf(list).sort(), ['$.orders[*].customerName', '$.orders[*].customer_name'], 'the renamed field, both sides of it')
  t.equal(list.verdicts.match, 0, 'every order list carries the renamed field')

  t.notOk(allFields.some((f) => f.includes('generated_at')), 'the ignored timestamp never shows')
  t.notOk(allFields.some((f) => f.includes('items') || /^\$\.orders(\[\d+\])?$/.test(f)), 'arrays matched by id: the reordering never shows')

  // request_id differs on every call of every service, so primary and secondary differ there
  // too: each exchange's own secondary explains it, from the first request on.
  const users = routeOf('user-by-id')
  t.ok(users.total > 60, `enough user-by-id exchanges (${users.total})`)
  t.equal(users.verdicts.noise, users.total - users.verdicts.candidate_error, `request_id is noise on every compared exchange (${users.verdicts.noise})`)
  t.equal(users.verdicts.mismatch, 0, 'no unexplained $.request_id mismatch, not even while the window learns')
  t.same(users.topFields, [], 'no mismatching field on user-by-id')
  t.equal(users.verdicts.match, 0, 'request_id differs on every call')
  t.equal(users.verdicts.skipped, 0)

  const errors = [...byName.values()].reduce((n, r) => n + r.verdicts.candidate_error, 0)
  t.equal(errors, Math.floor(shadowed / FAILURE_EVERY), 'every 50th candidate request fails, each a candidate_error')

  // One stored sample of the rounding bug, as the report page links it.
  const sig = orders.signatures.find((s) => s.fields.join() === '$.total' && s.sampleIds.length > 0)
  if (!sig) throw new Error('no stored sample for $.total')
  const sample = await getJson<{ fields: Array<{ path: string, primary: number, candidate: number }> }>(
    `http://127.0.0.1:${stack.app.adminPort}/api/diffs/${sig.sampleIds[0]}`)
  const total = sample.fields.find((f) => f.path === '$.total')
  t.ok(total && total.candidate === truncatedTotal(total.primary) && total.candidate !== total.primary, `primary ${total?.primary} vs candidate ${total?.candidate}`)

  const page = await request(stack.urls.report)
  t.equal(page.statusCode, 200)
  t.match(await page.body.text(), '$.total')
  const metrics = await request(stack.urls.metrics)
  t.match(await metrics.body.text(), /shadowfig_field_mismatches_total\{route="order-by-id",field="\$\.total"\} \d+/)

  await stack.close()
  const events = (await readFile(diffsFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { verdict: string, route: string, fields: Array<{ path: string }>, noise: string[] })
  t.equal(events.length, shadowed - [...byName.values()].reduce((n, r) => n + r.verdicts.match, 0), 'one diff event per non-match, in the demo\'s file')
  const noiseEvents = events.filter((e) => e.verdict === 'noise')
  t.equal(noiseEvents.length, users.verdicts.noise)
  t.ok(noiseEvents.every((e) => e.route === 'user-by-id' && e.fields.map((f) => f.path).join() === '$.request_id' && e.noise.join() === '$.request_id'), 'noise events name request_id')
  await stack.close() // idempotent
})
