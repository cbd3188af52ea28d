/** What gets mirrored, with which headers, and what is counted when it is not. */
import t from 'tap'
import { request } from 'undici'
import { Readable } from 'node:stream'
import type { IncomingHttpHeaders } from 'node:http'
import { httpServer } from '../helpers/servers.js'
import { startProxy } from '../helpers/proxy.js'
import { counterValue } from '../helpers/metrics.js'
import type { ConfigInput } from '../../src/config/schema.js'

interface Seen { method: string, url: string, headers: IncomingHttpHeaders, body: string }
async function recorder (status = 200, delayMs = 0): Promise<{ seen: Seen[], url: string, close (): Promise<void> }> {
  const seen: Seen[] = []
  const s = await httpServer(async (req, res) => {
    let body = ''
    for await (const c of req) body += c
    seen.push({ method: req.method as string, url: req.url as string, headers: req.headers, body })
    setTimeout(() => { res.writeHead(status, { 'content-type': 'application/json' }); res.end('{"ok":true}') }, delayMs)
  })
  return { seen, url: s.url, close: s.close }
}

async function settle (cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10))
}

function cfg (primary: string, candidate: string, shadow: Record<string, unknown>, extra: Record<string, unknown> = {}): ConfigInput {
  return {
    upstreams: { primary: { url: primary }, candidate: { url: candidate } },
    routes: [{ name: 'r', match: { pathPrefix: '/' }, primary: 'primary', shadow: { candidate: 'candidate', ...shadow }, ...extra }],
  } as ConfigInput
}

t.test('a POST goes to the primary exactly once and to the candidate never, unless allowWrites', async (t) => {
  const prim = await recorder(); const cand = await recorder()
  const p = await startProxy(cfg(prim.url, cand.url, { methods: ['GET', 'POST'] }))
  t.teardown(async () => { await p.close(); await prim.close(); await cand.close() })
  const r = await request(`${p.url}/orders`, { method: 'POST', body: '{"qty":1}', headers: { 'content-type': 'application/json' } })
  await r.body.text()
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(prim.seen.length, 1)
  t.equal(prim.seen[0].body, '{"qty":1}')
  t.equal(cand.seen.length, 0)
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'unsafe_method' }), 1)
})

t.test('with allowWrites the POST body is mirrored too (and the primary still sees it once)', async (t) => {
  const prim = await recorder(); const cand = await recorder()
  const p = await startProxy(cfg(prim.url, cand.url, { methods: ['POST'], allowWrites: true }))
  t.teardown(async () => { await p.close(); await prim.close(); await cand.close() })
  await (await request(`${p.url}/orders`, { method: 'POST', body: 'x'.repeat(100_000) })).body.text()
  await settle(() => cand.seen.length === 1)
  t.equal(prim.seen.length, 1)
  t.equal(cand.seen.length, 1)
  t.equal(cand.seen[0].body.length, 100_000)
  t.equal(prim.seen[0].body, cand.seen[0].body)
  await settle(() => p.exchanges.length === 1)
  t.equal(Buffer.from(p.exchanges[0].request.body ?? []).toString(), 'x'.repeat(100_000), 'the exchange carries the mirrored body (for captures and replay)')
})

t.test('the pair shares one request id; role header, traceparent and rewrite apply to the mirror only', async (t) => {
  const prim = await recorder(); const cand = await recorder()
  const p = await startProxy(cfg(prim.url, cand.url, {
    rewrite: { path: { from: '^/api/v1', to: '/v2' }, headers: { set: { 'x-env': 'shadow' }, remove: ['authorization'] } },
  }))
  t.teardown(async () => { await p.close(); await prim.close(); await cand.close() })
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  await (await request(`${p.url}/api/v1/orders/7?x=1`, { headers: { traceparent, authorization: 'Bearer secret' } })).body.text()
  await settle(() => cand.seen.length === 1)
  const [pr] = prim.seen; const [cr] = cand.seen
  t.match(pr.headers['x-shadowfig-request-id'], /^[0-9A-Z]{26}$/)
  t.equal(cr.headers['x-shadowfig-request-id'], pr.headers['x-shadowfig-request-id'], 'one id for the pair')
  t.equal(cr.headers['x-shadowfig-role'], 'candidate')
  t.equal(pr.headers['x-shadowfig-role'], undefined)
  t.equal(cr.headers.traceparent, traceparent)
  t.equal(cr.url, '/v2/orders/7?x=1')
  t.equal(pr.url, '/api/v1/orders/7?x=1')
  t.equal(cr.headers['x-env'], 'shadow')
  t.equal(cr.headers.authorization, undefined)
  t.equal(pr.headers.authorization, 'Bearer secret')
  await settle(() => p.exchanges.length === 1)
  t.equal(p.exchanges[0].traceId, '4bf92f3577b34da6a3ce929d0e0e4736')
  t.equal(p.exchanges[0].id, pr.headers['x-shadowfig-request-id'])
})

t.test('a secondary gets the mirror too, and the exchange carries all three sides', async (t) => {
  const prim = await recorder(); const cand = await recorder(); const sec = await recorder()
  const p = await startProxy({
    upstreams: { primary: { url: prim.url }, candidate: { url: cand.url }, secondary: { url: sec.url } },
    routes: [{ name: 'r', match: { pathPrefix: '/' }, primary: 'primary', shadow: { candidate: 'candidate', secondary: 'secondary' } }],
  })
  t.teardown(async () => { await p.close(); await prim.close(); await cand.close(); await sec.close() })
  await (await request(`${p.url}/a`)).body.text()
  await settle(() => p.exchanges.length === 1)
  t.equal(sec.seen[0].headers['x-shadowfig-role'], 'secondary')
  t.equal(p.exchanges[0].secondary?.status, 200)
  t.equal(p.exchanges[0].candidate.status, 200)
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'sent' }), 1, 'one mirrored request, one `sent`')
  t.equal(await counterValue(p.metrics, 'shadowfig_secondary_mirror_total', { outcome: 'sent' }), 1, 'the secondary copy is counted apart')
  await sec.close()
  await (await request(`${p.url}/b`)).body.text()
  await settle(() => p.exchanges.length === 2)
  t.equal(await counterValue(p.metrics, 'shadowfig_secondary_mirror_total', { outcome: 'error' }), 1, 'a failed secondary copy too')
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'error' }), 0, 'not as a failed mirror')
})

t.test('sticky sampling picks the same cohort across restarts', async (t) => {
  const prim = await recorder(); const cand = await recorder()
  const users = Array.from({ length: 200 }, (_, i) => `user-${i}`)
  const mirroredBy = async (): Promise<Set<string>> => {
    cand.seen.length = 0
    const p = await startProxy(cfg(prim.url, cand.url, { sample: '20%', sticky: 'header:x-user-id' }))
    for (const u of users) await (await request(`${p.url}/me`, { headers: { 'x-user-id': u } })).body.text()
    await settle(() => false, 200)
    await p.close()
    return new Set(cand.seen.map((s) => s.headers['x-user-id'] as string))
  }
  t.teardown(async () => { await prim.close(); await cand.close() })
  const first = await mirroredBy()
  const second = await mirroredBy()
  t.same([...second].sort(), [...first].sort(), 'the same users, in a fresh proxy')
  t.ok(first.size > 20 && first.size < 60, `about 20% of 200 users mirrored (${first.size})`)
})

t.test('maxInFlight bounds the mirrors; overflow is dropped and counted as saturated', async (t) => {
  const prim = await recorder(); const cand = await recorder(200, 300)
  const p = await startProxy(cfg(prim.url, cand.url, { maxInFlight: 4 }))
  t.teardown(async () => { await p.close(); await prim.close(); await cand.close() })
  await Promise.all(Array.from({ length: 20 }, async () => (await request(`${p.url}/s`)).body.text()))
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'saturated' }), 16)
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_in_flight', {}), 4)
  await settle(() => cand.seen.length === 4 && p.exchanges.length === 4)
  t.equal(p.exchanges.length, 4)
})

t.test('the circuit opens after consecutive failures, then probes after the cool-down', async (t) => {
  const prim = await recorder()
  const p = await startProxy(cfg(prim.url, 'http://127.0.0.1:1', { circuit: { failures: 3, cooldown: '300ms' } }))
  t.teardown(async () => { await p.close(); await prim.close() })
  for (let i = 0; i < 3; i++) { await (await request(`${p.url}/c`)).body.text(); await settle(() => false, 50) }
  for (let i = 0; i < 5; i++) await (await request(`${p.url}/c`)).body.text()
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'circuit_open' }), 5)
  await settle(() => false, 350)
  await (await request(`${p.url}/c`)).body.text()
  await (await request(`${p.url}/c`)).body.text()
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'sent' }), 4, 'one probe went out after the cool-down')
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'circuit_open' }), 6, 'the request during the probe was not mirrored')
})

t.test('a request body over maxBodySize is forwarded but not mirrored', async (t) => {
  const prim = await recorder(); const cand = await recorder()
  const p = await startProxy(cfg(prim.url, cand.url, { methods: ['PUT'], allowWrites: true, maxBodySize: '1KiB' }))
  t.teardown(async () => { await p.close(); await prim.close(); await cand.close() })
  await (await request(`${p.url}/big`, { method: 'PUT', body: 'y'.repeat(5000) })).body.text()
  // A chunked body (no content-length) is cut while streaming.
  await (await request(`${p.url}/big`, { method: 'PUT', body: Readable.from((async function * () { yield 'z'.repeat(3000); yield 'z'.repeat(3000) })()) })).body.text()
  await settle(() => false, 200)
  t.equal(prim.seen.length, 2)
  t.equal(prim.seen[1].body.length, 6000)
  t.equal(cand.seen.length, 0)
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'body_too_large' }), 2)
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_in_flight', {}), 0)
})

t.test('dispatch: after-primary sends the mirror only once the primary answered', async (t) => {
  const prim = await recorder(200, 100); const cand = await recorder()
  const p = await startProxy(cfg(prim.url, cand.url, { dispatch: 'after-primary' }))
  t.teardown(async () => { await p.close(); await prim.close(); await cand.close() })
  const pending = request(`${p.url}/late`)
  await settle(() => false, 50)
  t.equal(cand.seen.length, 0, 'nothing mirrored while the primary is still working')
  await (await pending).body.text()
  await settle(() => cand.seen.length === 1)
  t.equal(cand.seen.length, 1)
})
