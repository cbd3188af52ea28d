/**
 * The demo backends over real loopback HTTP: the monolith's data is a pure function of the id,
 * and the candidate differs from it exactly where the demo says (and nowhere else).
 */
import t from 'tap'
import { request } from 'undici'
import { FAILURE_EVERY, candidateHandler, startCandidate, truncatedTotal } from '../../src/demo/candidate.js'
import { USERS, order, orderIdsOf, user } from '../../src/demo/data.js'
import { idAfter, serveJson } from '../../src/demo/http.js'
import { monolithReply, startMonolith } from '../../src/demo/monolith.js'

async function getJson (base: string, path: string, method = 'GET'): Promise<{ status: number, headers: Record<string, unknown>, body: unknown }> {
  const res = await request(base + path, { method })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) }
}

const u = (path: string): URL => new URL(path, 'http://x.invalid')

t.test('data is deterministic and consistent between users and orders', async (t) => {
  t.same(user(7), user(7))
  t.equal(user(0), undefined)
  t.equal(user(USERS + 1), undefined)
  t.equal(user(1.5), undefined)
  for (let id = 1; id <= USERS; id++) {
    for (const oid of orderIdsOf(id)) {
      const o = order(oid)
      if (!o) { t.fail(`order ${oid} of user ${id} missing`); continue }
      t.equal(o.user_id, id)
      t.equal(o.customer_name, user(id)?.name)
      const subtotal = o.items.reduce((s, i) => s + Math.round(i.unit_price * 100) * i.qty, 0)
      t.equal(Math.round(o.subtotal * 100), subtotal)
      t.equal(Math.round(o.total * 100), Math.round(subtotal * (100 - o.discount_pct) / 100))
    }
  }
  t.equal(order(10 * USERS + 1), undefined, 'past the last user')
  t.equal(order(0), undefined)
  const missing = orderIdsOf(1).length + 1
  t.equal(missing <= 10 ? order(missing) : undefined, undefined, 'an index past the owner\'s order count is a 404')
})

t.test('truncatedTotal cuts to one decimal', async (t) => {
  t.equal(truncatedTotal(1234.56), 1234.5)
  t.equal(truncatedTotal(1234.5), 1234.5)
  t.equal(truncatedTotal(0.29), 0.2, 'no float drift: 0.29 * 100 is 28.999…')
})

t.test('idAfter takes only a plain positive id', async (t) => {
  t.equal(idAfter('/api/v1/orders/12', '/api/v1/orders/'), 12)
  t.equal(idAfter('/api/v1/orders/012', '/api/v1/orders/'), undefined)
  t.equal(idAfter('/api/v1/orders/1/x', '/api/v1/orders/'), undefined)
  t.equal(idAfter('/other/1', '/api/v1/orders/'), undefined)
})

t.test('monolith routes over HTTP', async (t) => {
  const m = await startMonolith()
  t.teardown(() => m.close())
  const health = await getJson(m.url, '/healthz')
  t.same(health, { status: 200, headers: health.headers, body: { status: 'ok' } })
  t.equal(health.headers['x-served-by'], 'monolith')

  const one = await getJson(m.url, '/api/v1/orders/12')
  const { generated_at: stamp, ...o } = one.body as Record<string, unknown>
  t.equal(one.status, 200)
  t.same(o, order(12))
  t.type(stamp, 'string')

  const list = await getJson(m.url, '/api/v1/orders?user=3')
  const ids = (list.body as { orders: Array<{ id: number, customer_name: string }> }).orders.map((x) => x.id)
  t.same(ids, orderIdsOf(3))
  t.equal((list.body as { count: number }).count, ids.length)

  const a = await getJson(m.url, '/api/v1/users/9')
  const b = await getJson(m.url, '/api/v1/users/9')
  t.match(a.body, { id: 9, name: user(9)?.name, request_id: /^req-[0-9a-f]{12}$/ })
  t.not((a.body as { request_id: string }).request_id, (b.body as { request_id: string }).request_id, 'request_id is new on every call')

  t.equal((await getJson(m.url, '/api/v1/users/999')).status, 404)
  t.equal((await getJson(m.url, '/api/v1/orders/999999')).status, 404)
  t.equal((await getJson(m.url, '/api/v1/orders?user=abc')).status, 400)
  t.equal((await getJson(m.url, '/nope')).status, 404)
  t.equal((await getJson(m.url, '/api/v1/users/1', 'POST')).status, 405)
  const head = await getJson(m.url, '/api/v1/users/1', 'HEAD')
  t.equal(head.status, 200)
  t.equal(head.body, undefined, 'HEAD has no body')
})

t.test('candidate: the documented differences, and only those', async (t) => {
  const c = await startCandidate()
  t.teardown(() => c.close())
  // Order 12 is discounted (id % 4 == 0): total truncated; items reversed.
  const o12 = order(12)
  if (!o12) throw new Error('order 12 exists in the demo data')
  const got = (await getJson(c.url, '/api/v1/orders/12')).body as Record<string, unknown>
  t.equal(got.total, truncatedTotal(o12.total))
  t.same(got.items, [...o12.items].reverse())
  const o1 = order(1)
  t.equal(((await getJson(c.url, '/api/v1/orders/1')).body as { total: number }).total, o1?.total, 'no discount, no bug')

  const list = (await getJson(c.url, '/api/v1/orders?user=3')).body as { orders: Array<Record<string, unknown>> }
  t.same(list.orders.map((x) => x.id), [...orderIdsOf(3)].reverse())
  for (const s of list.orders) {
    t.notOk('customer_name' in s)
    t.equal(s.customerName, user(3)?.name)
  }
  t.equal((await getJson(c.url, '/api/v1/orders/999999')).status, 404, 'errors pass through unchanged')
  t.equal((await getJson(c.url, '/healthz')).status, 200)
})

t.test('candidate fails exactly every 50th API request', async (t) => {
  const h = candidateHandler()
  const statuses: number[] = []
  for (let i = 1; i <= 2 * FAILURE_EVERY; i++) {
    statuses.push(h('GET', u('/healthz')).status, h('GET', u(`/api/v1/users/${1 + (i % 10)}`)).status)
  }
  const failures = statuses.flatMap((s, i) => s === 500 ? [i] : [])
  t.same(failures, [2 * FAILURE_EVERY - 1, 4 * FAILURE_EVERY - 1], 'the 50th and 100th API calls; /healthz never counts')
})

t.test('a throwing handler answers 500, not a crash; a taken port rejects', async (t) => {
  const s = await serveJson('boom', () => { throw new Error('kaput') })
  t.teardown(() => s.close())
  const r = await getJson(s.url, '/')
  t.same(r.body, { error: 'internal', message: 'kaput' })
  t.equal(r.status, 500)
  await t.rejects(serveJson('twin', monolithReply, { port: s.port }), { code: 'EADDRINUSE' })
})
