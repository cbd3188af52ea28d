/** End to end: `shadowfig promote` and POST /api/routes/:name/promote against the real admin server and a real SplitRegistry. */
import t from 'tap'
import { pino } from 'pino'
import { request } from 'undici'
import { routeSchema } from '../../src/config/schema.js'
import { main } from '../../src/commands/promote.js'
import { createAdminServer } from '../../src/admin/server.js'
import { Metrics } from '../../src/metrics/registry.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { SplitRegistry } from '../../src/split/registry.js'
import type { SplitController } from '../../src/split/controller.js'
import { collector, splitAdmin, value } from './fixtures.js'

t.test('a manual route waits, and moves on promote (HTTP and CLI); refusals say why', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const clock = { t: 1_000_000 }
  const { log, lines } = collector()
  const reg = new SplitRegistry({ metrics, log, now: () => clock.t }, [
    routeSchema.parse({
      name: 'invoices', match: { pathPrefix: '/invoices' }, primary: 'monolith',
      split: { to: 'billing-svc', weight: '1%', steps: ['5%', '20%', '100%'], stepAfter: '10m', approval: 'manual', guard: { minSamples: 10 } },
    }),
    routeSchema.parse({ name: 'plain', match: { pathPrefix: '/plain' }, primary: 'monolith', split: { to: 'billing-svc', weight: '5%' } }),
  ])
  const url = await splitAdmin(t, reg, metrics)
  const c = reg.get('invoices') as SplitController
  const feed = (n: number): void => { for (let i = 0; i < n; i++) { c.recordPrimary(10, 200); c.recordCandidate({ status: 200, durationMs: 10 }) } }
  const post = async (body: string, headers: Record<string, string> = {}): Promise<{ status: number, body: Record<string, unknown> }> => {
    const res = await request(`${url}/api/routes/invoices/promote`, { method: 'POST', headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json', ...headers }, body })
    return { status: res.statusCode, body: await res.body.json() as Record<string, unknown> }
  }
  const out: string[] = []
  const err: string[] = []
  const io = (token?: string): Parameters<typeof main>[1] => ({ stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: { SHADOWFIG_ADMIN_TOKEN: token } })

  // Not ready yet: refused with the figures, through both doors.
  t.match(await post('{}'), { status: 409, body: { error: { code: 'SHADOWFIG_ERR_CONFLICT', message: /not ready: 0\/10 samples/ } } })
  t.equal(await main(['invoices', '--admin', url], io('s3cret')), 1)
  t.match(err.join(''), /409: SHADOWFIG_ERR_CONFLICT route invoices is not ready.*\n.*--force overrides/)

  clock.t += 600_000
  feed(20)
  t.equal(c.weight, 0.01, 'manual: no step without approval')
  const report = await (await request(`${url}/api/report`, { headers: { authorization: 'Bearer s3cret' } })).body.json() as { live: Record<string, { climb: Record<string, unknown> }> }
  t.match(report.live.invoices.climb, { awaitingApproval: true, step: 0, next: 0.05, approval: 'manual', atWeightMs: 600_000, waitingFor: ['approval: shadowfig promote invoices'] })
  t.equal(report.live.plain.climb, undefined)

  t.match(await post('{}'), { status: 200, body: { ok: true, route: 'invoices', from: 0.01, to: 0.05, forced: false } })
  t.equal(await value(metrics.splitWeight, { route: 'invoices' }), 0.05)
  feed(10)
  t.equal(await main(['invoices', '--admin', url], io('s3cret')), 0)
  t.same(out, ['route invoices: promoted from 5% to 20%\n'])
  c.recordVerdict('mismatch') // an unexplained mismatch: not ready, and no mismatch guard to trip
  t.equal(await main(['invoices', '--admin', url, '--to', '100%'], io('s3cret')), 1)
  t.equal(await main(['invoices', '--admin', url, '--to', '100%', '--force'], io('s3cret')), 0)
  t.equal(out[1], 'route invoices: promoted from 20% to 100% (forced)\n')
  t.match(lines.filter((l) => l.obj.event === 'shadowfig.split.promote_forced'), [{ obj: { route: 'invoices', from: 0.2, to: 1 } }])
  t.equal(c.weight, 1)
  t.match(await post(''), { status: 409, body: { error: { message: /top of its climb/ } } })

  // Bad input, unknown routes, auth and CSRF rules as on /split.
  t.match(await post('{"to": "150%"}'), { status: 400 })
  t.match(await post('{"force": "yes"}'), { status: 400 })
  t.match(await post('{"extra": 1}'), { status: 400 })
  t.match(await post('[1]'), { status: 400 })
  t.match(await post('{'), { status: 400 })
  t.match(await post('{"to": "50%"}'), { status: 400, body: { error: { message: /50% is not above the live weight 100%/ } } })
  t.match(await post('{}', { 'content-type': 'text/plain' }), { status: 415 })
  t.match(await post('{}', { origin: 'https://evil.example' }), { status: 403 })
  t.match(await post('{}', { authorization: 'Bearer wrong' }), { status: 401 })
  const plain = await request(`${url}/api/routes/plain/promote`, { method: 'POST', headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' }, body: '{}' })
  t.match(await plain.body.json(), { error: { message: /no split.steps/ } })
  t.equal(plain.statusCode, 400)
  t.equal(await main(['orders', '--admin', url], io('s3cret')), 1)
  t.match(err.join(''), /404: SHADOWFIG_ERR_NOT_FOUND route "orders" has no split/)
  t.equal(await main(['invoices', '--admin', url, '--to', 'lots'], io('s3cret')), 1)
  t.match(err.at(-1), /--to must be a ratio/)
  t.equal(await main([], io('s3cret')), 1)
  t.equal(await main(['invoices', '--admin', 'http://127.0.0.1:1'], io()), 2)
})

t.test('an admin server without a promote hook answers 404', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const samples = new SampleStore()
  const silent = pino({ level: 'silent' })
  const admin = createAdminServer({
    host: '127.0.0.1', port: 0, metrics, samples, reporter: new Reporter({ metrics, diffs: silent, samples }), log: silent,
    hooks: { ready: () => true, reload: async () => ({ ok: true, hash: 'h' }), setSplit: () => ({ ok: false, status: 404, error: 'x' }) },
  })
  const { port } = await admin.listen()
  t.teardown(() => admin.close())
  const res = await request(`http://127.0.0.1:${port}/api/routes/a/promote`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(res.statusCode, 404)
  await res.body.dump()
})
