/**
 * A misbehaving candidate never changes what the client gets, nor when it gets it.
 * Each scenario runs against the same fast primary; the candidate hangs, sleeps, refuses,
 * resets mid-body, sends 100 MiB, or sends garbage.
 *
 * Independence is proven causally, not by timing: every candidate is gated and may not
 * send a single byte until the client has received its whole response. A proxy that waited
 * for the candidate would deadlock here and the test would fail. Latencies are printed as
 * diagnostics only (the machine is shared; speed is measured in bench/).
 */
import t from 'tap'
import { request } from 'undici'
import { closedPort, httpServer, netServer, type Started } from '../helpers/servers.js'
import { startProxy } from '../helpers/proxy.js'
import { counterValue } from '../helpers/metrics.js'

const primaryBody = JSON.stringify({ id: 42, total: 1234.56, items: [{ id: 1 }, { id: 2 }] })
const primary = await httpServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'x-primary': 'yes' })
  res.end(primaryBody)
})
t.teardown(() => primary.close())

type Candidate = () => Promise<{ url: string, close (): Promise<void> }>
const MiB = 1024 * 1024

/** Opened after each client response is complete; candidates wait on it before answering. */
function deferred (): { promise: Promise<void>, resolve (): void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}
let gate = deferred()
const afterClient = (fn: () => void): void => { void gate.promise.then(fn) }

const candidates: Record<string, { make: Candidate, outcome: string }> = {
  healthy: { make: () => httpServer((_req, res) => afterClient(() => res.end(primaryBody))), outcome: 'sent' },
  hangs: { make: () => httpServer(() => { /* never answers */ }), outcome: 'timeout' },
  'sleeps 5 s': { make: () => httpServer((_req, res) => afterClient(() => { setTimeout(() => res.end('late'), 5000).unref() })), outcome: 'timeout' },
  refuses: { make: async () => ({ url: `http://127.0.0.1:${await closedPort()}`, close: async () => {} }), outcome: 'error' },
  'resets mid-body': {
    make: () => netServer((s) => s.once('data', () => afterClient(() => { s.write('HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"partial":'); setTimeout(() => s.resetAndDestroy(), 5) }))),
    outcome: 'error',
  },
  'returns 100 MiB': {
    make: () => httpServer((_req, res) => afterClient(() => {
      res.writeHead(200, { 'content-length': 100 * MiB })
      const chunk = Buffer.alloc(MiB, 'x'); let sent = 0
      const pump = (): void => { while (sent < 100) { sent++; if (!res.write(chunk)) { res.once('drain', pump); return } } res.end() }
      res.on('error', () => {})
      pump()
    })),
    outcome: 'sent',
  },
  'returns garbage': {
    make: () => netServer((s) => s.once('data', () => afterClient(() => s.end(Buffer.from('\x00\xff garbage \r\n\r\n not http at all'))))),
    outcome: 'error',
  },
}

async function scenario (t: Tap.Test, name: string, make: Candidate, outcome: string): Promise<number[]> {
  const cand = await make()
  const p = await startProxy({
    upstreams: { primary: { url: primary.url }, candidate: { url: cand.url, timeout: '1s', connectTimeout: '500ms' } },
    routes: [{ name: 'r', match: { pathPrefix: '/' }, primary: 'primary', shadow: { candidate: 'candidate', timeout: '1s', maxInFlight: 64, circuit: { failures: 1000 } } }],
  })
  const latencies: number[] = []
  try {
    for (let i = 0; i < 30; i++) {
      const start = performance.now()
      const r = await request(`${p.url}/api/orders/42`)
      const body = await r.body.text()
      latencies.push(performance.now() - start)
      gate.resolve() // only now may the candidate answer this request
      gate = deferred()
      if (r.statusCode !== 200 || body !== primaryBody || r.headers['x-primary'] !== 'yes') t.fail(`${name}: client got something else than the primary response`)
    }
    t.pass(`${name}: 30 client responses were the primary's exact bytes, each complete before the candidate could answer`)
    // Mirror outcomes settle within the 1 s mirror timeout.
    await new Promise((resolve) => setTimeout(resolve, 1300))
    t.ok(await counterValue(p.metrics, 'shadowfig_mirror_total', { route: 'r', outcome }) > 0, `${name}: outcome "${outcome}" counted`)
    t.equal(await counterValue(p.metrics, 'shadowfig_mirror_in_flight', {}), 0, `${name}: every in-flight slot released`)
  } finally {
    await p.close()
    await cand.close()
  }
  return latencies
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

t.test('client responses never wait for, or depend on, the candidate', async (t) => {
  const healthy = await scenario(t, 'healthy', candidates.healthy.make, 'sent')
  for (const [name, c] of Object.entries(candidates)) {
    if (name === 'healthy') continue
    const lat = await scenario(t, name, c.make, c.outcome)
    t.comment(`${name}: client latency median ${median(lat).toFixed(2)} ms, max ${Math.max(...lat).toFixed(1)} ms (healthy candidate: median ${median(healthy).toFixed(2)} ms)`)
  }
})

t.test('the 100 MiB candidate body is cut at the capture cap and the exchange reports truncation', async (t) => {
  const cand = await candidates['returns 100 MiB'].make()
  const p = await startProxy({
    upstreams: { primary: { url: primary.url }, candidate: { url: cand.url } },
    routes: [{ name: 'r', match: { pathPrefix: '/' }, primary: 'primary', compare: { maxBodySize: '64KiB' }, shadow: { candidate: 'candidate' } }],
  })
  t.teardown(async () => { await p.close(); await cand.close() })
  await (await request(`${p.url}/x`)).body.text()
  gate.resolve()
  gate = deferred()
  for (let i = 0; i < 100 && p.exchanges.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(p.exchanges.length, 1)
  t.equal(p.exchanges[0].candidate.truncated, true)
  t.ok(p.exchanges[0].candidate.body.length <= 64 * 1024, 'no more than the cap was kept')
})

declare global { namespace Tap { type Test = import('tap').Test } }
export type { Started }
