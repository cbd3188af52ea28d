/**
 * Mirroring yields to a full comparison queue: before it mirrors, the proxy asks the real
 * compare engine how much room it has (ExchangeSink.room) and counts the route's exchanges already on
 * their way (open tickets), so under overload the candidate gets no request whose answer
 * could not be compared, the skip is counted as mirror outcome `saturated`, and the client's
 * answer is unchanged. Once the queue drains, mirroring resumes; abandoned tickets give their
 * place back.
 */
import t, { type Test } from 'tap'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { createCompareEngine, type CompareEngine } from '../../src/compare/engine.js'
import type { ConfigInput } from '../../src/config/schema.js'
import type { Exchange } from '../../src/shadow/exchange.js'
import { startProxy, type TestProxy } from '../helpers/proxy.js'
import { counterValue } from '../helpers/metrics.js'
import { httpServer } from '../helpers/servers.js'
import { cfg } from '../compare/helpers.js'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../compare/fixtures')

async function until (cond: () => boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5))
  return cond()
}

interface Rig { p: TestProxy, engine: CompareEngine, submitted: Exchange[], candidateSeen (): number, get (path?: string): Promise<string> }

/** Proxy → real engine (one thread, one queue place: room for two; `delay` holds each 300 ms). */
async function rig (t: Test, shadow: Record<string, unknown> = {}): Promise<Rig> {
  let seen = 0
  const prim = await httpServer((req, res) => {
    if (req.url === '/fail') { res.socket?.destroy(); return }
    res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}')
  })
  const cand = await httpServer((_req, res) => { seen++; res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}') })
  const engine = createCompareEngine({ threads: 1, maxQueue: 1 })
  await engine.setRoutes([{ name: 'r', compare: cfg({ comparators: ['./delay.js'] }), hasSecondary: false }], FIXTURES)
  const submitted: Exchange[] = []
  const p = await startProxy({
    upstreams: { primary: { url: prim.url, timeout: '2s' }, candidate: { url: cand.url } },
    routes: [{ name: 'r', match: { pathPrefix: '/' }, primary: 'primary', shadow: { candidate: 'candidate', ...shadow } }],
  } as ConfigInput, { submit: (e) => { submitted.push(e); engine.submit(e) }, room: () => engine.room() })
  t.teardown(async () => { await p.close(); await engine.close(); await prim.close(); await cand.close() })
  const get = async (path = '/x'): Promise<string> => { const r = await request(`${p.url}${path}`); return `${r.statusCode} ${await r.body.text()}` }
  return { p, engine, submitted, candidateSeen: () => seen, get }
}

const OK = '200 {"ok":true}'

t.test('a full comparison queue stops mirroring (counted saturated) until it drains', async (t) => {
  const { p, engine, submitted, candidateSeen, get } = await rig(t)
  t.equal(engine.room(), 2)
  // Five at once: only two places, and the mirrors still in flight already hold them.
  t.same(await Promise.all([1, 2, 3, 4, 5].map(() => get())), [OK, OK, OK, OK, OK], 'every client is answered')
  t.ok(await until(() => submitted.length === 2), 'two exchanges reached the engine')
  t.equal(engine.room(), 0)
  t.equal(candidateSeen(), 2, 'only two mirrors were sent')
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'saturated' }), 3)
  t.equal(await get(), OK, 'a request while the queue is full is served')
  t.equal(candidateSeen(), 2, 'and not mirrored')
  t.equal(engine.stats().saturated, 0, 'nothing reached the engine only to be skipped there')

  t.ok(await until(() => engine.room() === 2), 'the queue drains')
  t.equal(await get(), OK)
  t.ok(await until(() => submitted.length === 3), 'mirroring resumed')
  t.equal(candidateSeen(), 3)
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'sent' }), 3)
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'saturated' }), 4)
})

t.test('abandoned tickets give their place back', async (t) => {
  // after-primary: a primary failure abandons the ticket before any mirror is sent.
  const { p, engine, submitted, candidateSeen, get } = await rig(t, { dispatch: 'after-primary' })
  for (let i = 0; i < 4; i++) t.equal((await get('/fail')).slice(0, 3), '502')
  t.equal(candidateSeen(), 0)
  t.same(await Promise.all([get(), get()]), [OK, OK])
  t.ok(await until(() => submitted.length === 2), 'both later requests were mirrored')
  t.equal(candidateSeen(), 2)
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { outcome: 'saturated' }), 0)
  t.equal(engine.room(), 0)
})
