/**
 * Browser access off loopback, over real HTTP: the admin server listens on 127.0.0.1 but with
 * `trustLoopback: false`, so every client is treated as remote.
 */
import t, { type Test } from 'tap'
import type { IncomingMessage } from 'node:http'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { createAdminServer } from '../../src/admin/server.js'
import { cameOverTls, sessionId, Sessions } from '../../src/admin/sessions.js'
import { safeNext } from '../../src/admin/signin-page.js'
import { Metrics } from '../../src/metrics/registry.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { exchange, result, route, changed } from '../report/fixtures.js'
import { call } from '../report/http.js'

const quiet = () => pino({ level: 'silent' }, new Writable({ write (_c, _e, cb) { cb() } }))

async function start (t: Test, token: string | undefined, sessions?: { max?: number, ttlMs?: number, maxFailures?: number, now?: () => number }) {
  const metrics = new Metrics({ defaultMetrics: false })
  const samples = new SampleStore()
  const log = quiet()
  const reporter = new Reporter({ metrics, diffs: log, samples })
  reporter.setRoutes([route('orders')])
  const ex = exchange('orders')
  reporter.record(result(ex, 'mismatch', [changed('$.total', 10, 11)]), ex)
  const admin = createAdminServer({
    host: '127.0.0.1', port: 0, token, metrics, reporter, samples, log, trustLoopback: false, sessions,
    hooks: { ready: () => true, reload: async () => ({ ok: true, hash: 'h' }), setSplit: () => ({ ok: false, status: 404, error: 'no' }) },
  })
  const { port } = await admin.listen()
  t.teardown(() => admin.close())
  const origin = `http://127.0.0.1:${port}`
  return { url: origin, origin, sampleId: ex.id }
}

const form = (origin: string, extra: Record<string, string> = {}) => ({ 'content-type': 'application/x-www-form-urlencoded', origin, ...extra })
const cookieOf = (setCookie: string | string[] | undefined) => String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]

t.test('with a token: a sign-in page, a session cookie, sign-out', async (t) => {
  const s = await start(t, 'tok-123')
  const page = await call(`${s.url}/report?window=1h`)
  t.equal(page.status, 401)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.headers['content-security-policy'], /default-src 'none'.*form-action 'self'/)
  t.match(page.body, /<form method="post" action="\/report\/signin">/)
  t.match(page.body, /name="next" value="\/report\?window=1h"/, 'comes back to the page asked for')
  t.equal((await call(`${s.url}/report/samples/${s.sampleId}`)).status, 401, 'sample pages too')
  const api = await call(`${s.url}/api/report`)
  t.same([api.status, api.json().error.code], [401, 'SHADOWFIG_ERR_UNAUTHORIZED'], 'the API stays JSON')

  const wrong = await call(`${s.url}/report/signin`, { method: 'POST', headers: form(s.origin), body: 'token=tok-12&next=%2Freport' })
  t.equal(wrong.status, 401)
  t.match(wrong.body, /not the admin token/)
  t.notOk(wrong.headers['set-cookie'])

  const ok = await call(`${s.url}/report/signin`, { method: 'POST', headers: form(s.origin), body: 'token=tok-123&next=%2Freport%3Fwindow%3D1h' })
  t.equal(ok.status, 303)
  t.equal(ok.headers.location, '/report?window=1h')
  const set = String(ok.headers['set-cookie'])
  t.match(set, /^shadowfig_session=[\w-]{43}; Path=\/report; Max-Age=43200; HttpOnly; SameSite=Strict$/, 'no Secure over plain HTTP')
  const cookie = { cookie: cookieOf(ok.headers['set-cookie']) }

  const report = await call(`${s.url}/report`, { headers: cookie })
  t.equal(report.status, 200)
  t.match(report.body, /action="\/report\/logout"/, 'a sign-out button')
  t.equal((await call(`${s.url}/report/samples/${s.sampleId}`, { headers: cookie })).status, 200)
  t.equal((await call(`${s.url}/api/report`, { headers: cookie })).status, 401, 'a session never opens the API')
  t.equal((await call(`${s.url}/api/report`, { headers: { authorization: 'Bearer tok-123' } })).status, 200, 'scripts keep the header')
  const bearerPage = await call(`${s.url}/report`, { headers: { authorization: 'Bearer tok-123' } })
  t.equal(bearerPage.status, 200)
  t.notMatch(bearerPage.body, /\/report\/logout/, 'no sign-out without a session')

  const crossOut = await call(`${s.url}/report/logout`, { method: 'POST', headers: form('http://evil.example', cookie) })
  t.equal(crossOut.status, 403, 'a cross-origin logout is refused')
  t.equal((await call(`${s.url}/report`, { headers: cookie })).status, 200, 'still signed in')

  const out = await call(`${s.url}/report/logout`, { method: 'POST', headers: form(s.origin, cookie) })
  t.equal(out.status, 303)
  t.equal(out.headers.location, '/report')
  t.match(String(out.headers['set-cookie']), /^shadowfig_session=; Path=\/report; Max-Age=0; HttpOnly; SameSite=Strict$/)
  t.equal((await call(`${s.url}/report`, { headers: cookie })).status, 401, 'the session is gone server-side')
})

t.test('sign-in is CSRF-safe, the next URL stays on the report, TLS makes the cookie Secure', async (t) => {
  const s = await start(t, 'tok')
  const cross = await call(`${s.url}/report/signin`, { method: 'POST', headers: form('http://evil.example'), body: 'token=tok' })
  t.same([cross.status, cross.json().error.code], [403, 'SHADOWFIG_ERR_FORBIDDEN'])
  const site = await call(`${s.url}/report/signin`, { method: 'POST', headers: { ...form(s.origin), 'sec-fetch-site': 'cross-site' }, body: 'token=tok' })
  t.equal(site.status, 403)
  const away = await call(`${s.url}/report/signin`, { method: 'POST', headers: form(s.origin, { 'x-forwarded-proto': 'https' }), body: 'token=tok&next=%2F%2Fevil.example%2Freport' })
  t.equal(away.headers.location, '/report', 'an off-site next is ignored')
  t.match(String(away.headers['set-cookie']), /; Secure$/)
  t.equal((await call(`${s.url}/report/signin`)).status, 405, 'sign-in is a POST')
})

t.test('without a token: 403 as a page saying how to configure one', async (t) => {
  const s = await start(t, undefined)
  const page = await call(`${s.url}/report`)
  t.equal(page.status, 403)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /admin:\s+token: "\$\{SHADOWFIG_ADMIN_TOKEN\}"/)
  t.equal((await call(`${s.url}/report/samples/x`)).status, 403)
  const api = await call(`${s.url}/api/report`)
  t.same([api.status, api.json().error.code], [403, 'SHADOWFIG_ERR_FORBIDDEN'])
  const signin = await call(`${s.url}/report/signin`, { method: 'POST', headers: form(s.origin), body: 'token=anything' })
  t.equal(signin.status, 403)
  t.match(signin.body, /admin\.token/)
})

t.test('sessions expire and are bounded', async (t) => {
  let now = 1000
  const s = await start(t, 'tok', { max: 2, ttlMs: 60_000, now: () => now })
  const signIn = async () => cookieOf((await call(`${s.url}/report/signin`, { method: 'POST', headers: form(s.origin), body: 'token=tok' })).headers['set-cookie'])
  const [a, b] = [await signIn(), await signIn()]
  t.not(a, b, 'random ids')
  t.equal((await call(`${s.url}/report`, { headers: { cookie: `other=1; ${a}` } })).status, 200, 'found among other cookies')
  const c = await signIn()
  t.equal((await call(`${s.url}/report`, { headers: { cookie: a } })).status, 401, 'the oldest session made room')
  t.equal((await call(`${s.url}/report`, { headers: { cookie: c } })).status, 200)
  now += 60_000
  t.equal((await call(`${s.url}/report`, { headers: { cookie: b } })).status, 401, 'expired')
  t.equal((await call(`${s.url}/report`, { headers: { cookie: 'shadowfig_session=forged' } })).status, 401)
})

t.test('wrong tokens pause sign-in for a minute; the header still works', async (t) => {
  let now = 1000
  const s = await start(t, 'tok', { maxFailures: 2, now: () => now })
  const post = (token: string) => call(`${s.url}/report/signin`, { method: 'POST', headers: form(s.origin), body: `token=${token}` })
  t.equal((await post('a')).status, 401)
  now += 30_000
  t.equal((await post('b')).status, 401)
  const paused = await post('tok')
  t.equal(paused.status, 429, 'even the right token waits')
  t.equal(paused.headers['retry-after'], '60')
  t.match(paused.body, /sign-in is paused/)
  t.equal((await call(`${s.url}/report`, { headers: { authorization: 'Bearer tok' } })).status, 200, 'scripts unaffected')
  now += 30_001
  t.equal((await post('tok')).status, 303, 'the first failure has left the minute')
})

t.test('helpers', async (t) => {
  const req = (headers: Record<string, string | string[]>, encrypted = false) => ({ headers, socket: { encrypted } }) as unknown as IncomingMessage
  t.ok(cameOverTls(req({}, true)))
  t.ok(cameOverTls(req({ 'x-forwarded-proto': 'HTTPS, http' })))
  t.ok(cameOverTls(req({ 'x-forwarded-proto': ['https'] })))
  t.notOk(cameOverTls(req({})))
  t.equal(sessionId(req({ cookie: 'a=b; shadowfig_session=xyz' })), 'xyz')
  t.equal(sessionId(req({})), undefined)
  const s = new Sessions()
  t.same([s.max, s.ttlMs, s.size, s.maxFailures], [64, 12 * 3600_000, 0, 10])
  s.end(req({}))
  t.same([safeNext('/report/samples/a'), safeNext('/reports'), safeNext(null), safeNext('https://x/report')], ['/report/samples/a', '/report', '/report', '/report'])
})
