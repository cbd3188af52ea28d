import t, { type Test } from 'tap'
import { networkInterfaces } from 'node:os'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { createAdminServer, type AdminHooks } from '../../src/admin/server.js'
import { Metrics } from '../../src/metrics/registry.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { changed, exchange, result, route } from '../report/fixtures.js'
import { call } from '../report/http.js'

const quiet = () => pino({ level: 'debug' }, new Writable({ write (_c, _e, cb) { cb() } }))

interface Calls { split: Array<[string, number]> }

async function start (t: Test, opts: { token?: string, host?: string, hooks?: Partial<AdminHooks>, maxBodyBytes?: number } = {}) {
  const metrics = new Metrics({ defaultMetrics: false })
  const samples = new SampleStore()
  const log = quiet()
  const reporter = new Reporter({ metrics, diffs: log, samples })
  reporter.setRoutes([route('orders', ['$.card'])])
  const calls: Calls = { split: [] }
  let ready = true
  const hooks: AdminHooks = {
    ready: () => ready,
    reload: async () => ({ ok: true, hash: 'abc123' }),
    setSplit: (name, weight) => {
      calls.split.push([name, weight])
      return name === 'orders' ? { ok: true, route: name, weight, fileWeight: 0.05 } : { ok: false, status: 404, error: `no route ${name}` }
    },
    routeStatus: () => ({ orders: { splitWeight: 0.05, guard: 'ok' } }),
    ...opts.hooks,
  }
  const admin = createAdminServer({ host: opts.host ?? '127.0.0.1', port: 0, token: opts.token, metrics, reporter, samples, hooks, log, maxBodyBytes: opts.maxBodyBytes })
  const { port } = await admin.listen()
  t.teardown(() => admin.close())
  const ex = exchange('orders')
  reporter.record(result(ex, 'mismatch', [changed('$.total', 10, 11), changed('$.card', '4111', '5500')]), ex)
  return { url: `http://${opts.host ?? '127.0.0.1'}:${port}`, calls, setReady: (r: boolean) => { ready = r }, exchangeId: ex.id, metrics }
}

t.test('open endpoints: metrics, health, readiness, assets', async (t) => {
  const s = await start(t, { token: 'tok' })
  const m = await call(`${s.url}/metrics`)
  t.equal(m.status, 200)
  t.match(m.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  t.match(m.body, /shadowfig_comparisons_total\{route="orders",verdict="mismatch"\} 1/)
  const head = await call(`${s.url}/metrics`, { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(head.body, '')
  t.equal((await call(`${s.url}/healthz`)).status, 200)
  t.equal((await call(`${s.url}/readyz`)).status, 200)
  s.setReady(false)
  t.equal((await call(`${s.url}/readyz`)).status, 503)
  const css = await call(`${s.url}/assets/jsondiffpatch.css`)
  t.equal(css.status, 200)
  t.match(css.headers['content-type'], /^text\/css/)
  t.match(css.body, /\.jsondiffpatch-delta/)
  t.match((await call(`${s.url}/assets/jsondiffpatch.css`)).body, /\.jsondiffpatch-delta/, 'cached read')
  t.match((await call(`${s.url}/assets/report.css`)).body, /table\.diff/)
  t.equal((await call(`${s.url}/assets/nope.css`)).json().error.code, 'SHADOWFIG_ERR_NOT_FOUND')
})

t.test('token endpoints: bearer token required, constant-time compared', async (t) => {
  const s = await start(t, { token: 's3cret-token' })
  const none = await call(`${s.url}/api/report`)
  t.equal(none.status, 401)
  t.equal(none.json().error.code, 'SHADOWFIG_ERR_UNAUTHORIZED')
  t.match(none.headers['www-authenticate'], /^Bearer/)
  t.equal((await call(`${s.url}/api/report`, { headers: { authorization: 'Bearer s3cret-tokeN' } })).status, 401)
  t.equal((await call(`${s.url}/api/report`, { headers: { authorization: 'Bearer s3cret' } })).status, 401, 'prefix')
  t.equal((await call(`${s.url}/api/report`, { headers: { authorization: 'Basic s3cret-token' } })).status, 401)
  const ok = await call(`${s.url}/api/report`, { headers: { authorization: 'bearer s3cret-token' } })
  t.equal(ok.status, 200)
  const rep = ok.json()
  t.equal(rep.routes[0].route, 'orders')
  t.same(rep.routes[0].verdicts.mismatch, 1)
  t.same(rep.routes[0].live, { splitWeight: 0.05, guard: 'ok' }, 'live route status merged')
  t.same(rep.live, { orders: { splitWeight: 0.05, guard: 'ok' } })
  t.same(rep.routes[0].signatures[0].sampleIds, [s.exchangeId])

  const auth = { authorization: 'Bearer s3cret-token' }
  const d = await call(`${s.url}/api/diffs/${s.exchangeId}`, { headers: auth })
  t.equal(d.status, 200)
  t.same(d.json().fields[1], { path: '$.card', concretePath: '$.card', kind: 'changed', primary: '[redacted]', candidate: '[redacted]' })
  t.equal((await call(`${s.url}/api/diffs/unknown`, { headers: auth })).status, 404)
  t.equal((await call(`${s.url}/api/diffs/%E0%A4%A`, { headers: auth })).json().error.code, 'SHADOWFIG_ERR_BAD_REQUEST')
  t.equal((await call(`${s.url}/api/diffs/${s.exchangeId}`)).status, 401)

  const page = await call(`${s.url}/report`)
  t.equal(page.status, 200, '/report opens to loopback clients even with a token')
  t.match(page.headers['content-security-policy'], /default-src 'none'/)
})

t.test('routing: 404 and 405', async (t) => {
  const s = await start(t)
  const nf = await call(`${s.url}/nope`)
  t.equal(nf.status, 404)
  t.equal(nf.json().error.code, 'SHADOWFIG_ERR_NOT_FOUND')
  const m1 = await call(`${s.url}/api/reload`)
  t.equal(m1.status, 405)
  t.equal(m1.headers.allow, 'POST')
  const m2 = await call(`${s.url}/metrics`, { method: 'POST' })
  t.equal(m2.headers.allow, 'GET, HEAD')
})

t.test('reload: ok, bad config (400 with errors), hook failure (500)', async (t) => {
  let next: 'ok' | 'bad' | 'throw' = 'ok'
  const s = await start(t, {
    hooks: {
      reload: async () => {
        if (next === 'throw') throw new Error('boom')
        return next === 'ok' ? { ok: true, hash: 'h1' } : { ok: false, errors: ['c.yaml:3:5 routes[0].primary: unknown upstream'] }
      },
    },
  })
  const ok = await call(`${s.url}/api/reload`, { method: 'POST' })
  t.same([ok.status, ok.json()], [200, { ok: true, hash: 'h1' }])
  next = 'bad'
  const bad = await call(`${s.url}/api/reload`, { method: 'POST' })
  t.equal(bad.status, 400)
  t.same(bad.json().errors, ['c.yaml:3:5 routes[0].primary: unknown upstream'])
  t.equal(bad.json().error.code, 'SHADOWFIG_ERR_CONFIG')
  next = 'throw'
  const boom = await call(`${s.url}/api/reload`, { method: 'POST' })
  t.equal(boom.status, 500)
  t.equal(boom.json().error.code, 'SHADOWFIG_ERR_INTERNAL')
  t.notMatch(boom.body, /boom/, 'internal details stay in the log')
})

t.test('split: weights as ratio or percentage; validation; hook errors', async (t) => {
  const s = await start(t)
  const post = (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    call(`${s.url}${path}`, { method: 'POST', headers, body })
  const a = await post('/api/routes/orders/split', '{"weight":0.05}')
  t.same([a.status, a.json()], [200, { ok: true, route: 'orders', weight: 0.05, fileWeight: 0.05 }])
  t.equal((await post('/api/routes/orders/split', '{"weight":"5%"}')).status, 200)
  t.equal((await post('/api/routes/orders/split', '{"weight":0}')).status, 200)
  t.same(s.calls.split, [['orders', 0.05], ['orders', 0.05], ['orders', 0]])
  for (const bad of ['{"weight":"150%"}', '{"weight":2}', '{"w":1}', 'null', 'not json']) {
    const r = await post('/api/routes/orders/split', bad)
    t.same([r.status, r.json().error.code], [400, 'SHADOWFIG_ERR_BAD_REQUEST'], bad)
  }
  t.equal((await post('/api/routes/orders/split', '{"weight":0}', { 'content-type': 'text/plain' })).status, 415)
  t.equal((await post('/api/routes/orders/split', '{"weight":0}', {})).status, 415)
  const nf = await post('/api/routes/nope/split', '{"weight":0}')
  t.same([nf.status, nf.json().error.code, nf.json().error.message], [404, 'SHADOWFIG_ERR_NOT_FOUND', 'no route nope'])
  t.equal(s.calls.split.length, 4, 'invalid requests never reach the hook')
})

t.test('split hook refusal keeps its status', async (t) => {
  const s = await start(t, { hooks: { setSplit: () => ({ ok: false, status: 409, error: 'route has no split' }) } })
  const r = await call(`${s.url}/api/routes/orders/split`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"weight":0}' })
  t.same([r.status, r.json().error.code], [409, 'SHADOWFIG_ERR_BAD_REQUEST'])
})

t.test('mutations refuse cross-origin browsers', async (t) => {
  const s = await start(t)
  const host = new URL(s.url).host
  const post = (headers: Record<string, string>) => call(`${s.url}/api/reload`, { method: 'POST', headers })
  const cases: Array<Record<string, string>> = [{ origin: 'http://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { origin: `http://${host}`, 'sec-fetch-site': 'cross-site' }]
  for (const h of cases) {
    const r = await post(h)
    t.same([r.status, r.json().error.code], [403, 'SHADOWFIG_ERR_FORBIDDEN'], JSON.stringify(h))
  }
  t.equal((await post({ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status, 200, 'our own origin is fine')
  t.equal((await call(`${s.url}/api/report`, { headers: { origin: 'http://evil.example' } })).status, 200, 'reads are not mutations')
})

t.test('POST bodies are capped', async (t) => {
  const s = await start(t, { maxBodyBytes: 64 })
  const big = JSON.stringify({ weight: 0.5, pad: 'x'.repeat(100) })
  const declared = await call(`${s.url}/api/routes/orders/split`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })
  t.same([declared.status, declared.json().error.code], [413, 'SHADOWFIG_ERR_BODY_TOO_LARGE'])
  const chunked = await call(`${s.url}/api/routes/orders/split`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, chunks: [big.slice(0, 50), big.slice(50)] })
  t.equal(chunked.status, 413)
})

t.test('without a token: loopback only', async (t) => {
  const s = await start(t)
  t.equal((await call(`${s.url}/api/report`)).status, 200, 'loopback client, no token configured')
})

const lan = Object.values(networkInterfaces()).flat().find((i) => i !== undefined && !i.internal && i.family === 'IPv4')
t.test('non-loopback clients', { skip: lan === undefined ? 'no non-loopback IPv4 interface to connect from' : false }, async (t) => {
  const host = (lan as { address: string }).address
  const remote = await start(t, { host })
  const r = await call(`${remote.url}/api/report`)
  t.same([r.status, r.json().error.code], [403, 'SHADOWFIG_ERR_FORBIDDEN'], 'no token configured: refused')
  t.equal((await call(`${remote.url}/report`)).status, 403)
  t.equal((await call(`${remote.url}/metrics`)).status, 200, 'open endpoints stay open')
  const withToken = await start(t, { host, token: 'tok' })
  t.equal((await call(`${withToken.url}/report`)).status, 401, 'non-loopback /report needs the token')
  t.equal((await call(`${withToken.url}/report`, { headers: { authorization: 'Bearer tok' } })).status, 200)
})

t.test('without routeStatus the report has empty live state', async (t) => {
  const s = await start(t, { hooks: { routeStatus: undefined } })
  const rep = (await call(`${s.url}/api/report`)).json()
  t.same(rep.live, {})
  t.notOk('live' in rep.routes[0])
})

t.test('listen fails cleanly on a taken port', async (t) => {
  const s = await start(t)
  const port = Number(new URL(s.url).port)
  const metrics = new Metrics({ defaultMetrics: false })
  const samples = new SampleStore()
  const log = quiet()
  const again = createAdminServer({ host: '127.0.0.1', port, metrics, samples, log, reporter: new Reporter({ metrics, diffs: log, samples }), hooks: { ready: () => true, reload: async () => ({ ok: true, hash: '' }), setSplit: () => ({ ok: false, status: 404, error: '' }) } })
  await t.rejects(again.listen(), { code: 'EADDRINUSE' })
})

t.test('sample pages: open where /report opens (loopback with a token), evicted ones say so', async (t) => {
  const s = await start(t, { token: 'tok' })
  const page = await call(`${s.url}/report/samples/${s.exchangeId}`)
  t.equal(page.status, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.headers['content-security-policy'], /default-src 'none'/)
  t.match(page.body, /<span class="verdict mismatch">mismatch<\/span>/)
  t.notMatch(page.body, /top-secret|4111/)
  const gone = await call(`${s.url}/report/samples/evicted-1`)
  t.equal(gone.status, 404)
  t.match(gone.body, /This sample is no longer stored[\s\S]*first sample seen and the latest are kept, with 3 more drawn at random[\s\S]*32 MiB/)
})
