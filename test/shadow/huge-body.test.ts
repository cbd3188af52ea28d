/**
 * A response body longer than what the comparison reads costs the proxy at most the cap:
 *  - a mirror (candidate or secondary) that declares 100 MiB is aborted at its head, before
 *    its body is read; a chunked one as soon as it outgrows the cap;
 *  - the primary's capture of a declared-too-long body buffers nothing (the client still gets
 *    every byte);
 *  - the capture says `truncated`, the comparison skips it as body_too_large, and
 *    shadowfig_mirror_total{outcome="response_too_large"} counts each candidate cut, and
 *    shadowfig_secondary_mirror_total the secondary's.
 * The candidates here send their head and then only send more while the proxy keeps reading:
 * a proxy that read to the cap before aborting would leave the declared one waiting for its
 * mirror timeout (60 s, beyond the test's time limit).
 */
import t from 'tap'
import type { ServerResponse } from 'node:http'
import { request } from 'undici'
import { httpServer } from '../helpers/servers.js'
import { startProxy, type TestProxy } from '../helpers/proxy.js'
import { counterValue } from '../helpers/metrics.js'
import { precheck } from '../../src/compare/precheck.js'
import type { Exchange } from '../../src/shadow/exchange.js'

const MiB = 1024 * 1024
const CAP = 64 * 1024
const primaryBody = JSON.stringify({ ok: true })

/** What a huge mirror target saw: bytes it wrote before its socket closed. */
interface Seen { closed: Promise<number> }

/** A server answering 200 with a 100 MiB body, declared (Content-Length) or chunked; `declared` sends nothing after the head. */
async function huge (declared: boolean): Promise<{ url: string, close (): Promise<void>, seen: Seen[] }> {
  const seen: Seen[] = []
  const s = await httpServer((_req, res) => {
    const socket = res.socket as NonNullable<ServerResponse['socket']>
    seen.push({ closed: new Promise((resolve) => socket.once('close', () => resolve(socket.bytesWritten))) })
    res.on('error', () => {})
    if (declared) { res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 * MiB }); res.flushHeaders(); return }
    res.writeHead(200, { 'content-type': 'application/json' })
    const chunk = Buffer.alloc(16 * 1024, 'x'); let sent = 0
    const pump = (): void => {
      while (sent < 100 * MiB && !res.destroyed) {
        sent += chunk.length
        if (!res.write(chunk)) { res.once('drain', pump); return }
      }
      if (!res.destroyed) res.end()
    }
    pump()
  })
  return { ...s, seen }
}

async function proxyFor (primaryUrl: string, candidateUrl: string, secondaryUrl?: string, circuit?: { failures: number, cooldown: string }): Promise<TestProxy> {
  return startProxy({
    upstreams: {
      primary: { url: primaryUrl },
      candidate: { url: candidateUrl },
      ...(secondaryUrl !== undefined && { secondary: { url: secondaryUrl } }),
    },
    routes: [{
      name: 'r',
      match: { pathPrefix: '/' },
      primary: 'primary',
      shadow: { candidate: 'candidate', ...(secondaryUrl !== undefined && { secondary: 'secondary' }), timeout: '60s', ...(circuit !== undefined && { circuit }) },
      compare: { maxBodySize: CAP },
    }],
  })
}

async function exchangeOf (p: TestProxy): Promise<Exchange> {
  while (p.exchanges.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  return p.exchanges[0]
}

const primary = await httpServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(primaryBody) })
t.teardown(() => primary.close())

t.test('candidate and secondary declaring 100 MiB are aborted at the head; the client gets the primary', async (t) => {
  const cand = await huge(true)
  const sec = await huge(true)
  const p = await proxyFor(primary.url, cand.url, sec.url)
  t.teardown(async () => { await p.close(); await cand.close(); await sec.close() })

  const r = await request(`${p.url}/x`)
  t.equal(await r.body.text(), primaryBody, 'the client got the primary\'s bytes')
  const ex = await exchangeOf(p)
  for (const [name, side, target] of [['candidate', ex.candidate, cand], ['secondary', ex.secondary, sec]] as const) {
    t.equal(target.seen.length, 1)
    const written = await target.seen[0].closed
    t.ok(written < 4096, `${name} connection closed after its head (${written} bytes written)`)
    t.equal(side?.status, 200, `${name} status kept`)
    t.equal(side?.failure, undefined, `${name} is no failure`)
    t.equal(side?.truncated, true, `${name} capture is truncated`)
    t.equal(side?.body.length, 0, `${name}: no body byte read`)
  }
  t.same(precheck(ex, CAP), { verdict: 'skipped', reason: 'body_too_large' })
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { route: 'r', outcome: 'response_too_large' }), 1, 'the candidate\'s cut')
  t.equal(await counterValue(p.metrics, 'shadowfig_secondary_mirror_total', { route: 'r', outcome: 'response_too_large' }), 1, 'the secondary\'s, apart')
})

t.test('a chunked 100 MiB candidate is cut at the cap', async (t) => {
  const cand = await huge(false)
  const p = await proxyFor(primary.url, cand.url)
  t.teardown(async () => { await p.close(); await cand.close() })

  const r = await request(`${p.url}/x`)
  t.equal(await r.body.text(), primaryBody)
  const ex = await exchangeOf(p)
  const written = await cand.seen[0].closed
  t.ok(written < 100 * MiB / 4, `candidate connection closed far before 100 MiB (${(written / MiB).toFixed(1)} MiB written)`)
  t.equal(ex.candidate.truncated, true)
  t.ok(ex.candidate.body.length <= CAP, 'at most the cap kept')
  t.same(precheck(ex, CAP), { verdict: 'skipped', reason: 'body_too_large' })
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { route: 'r', outcome: 'response_too_large' }), 1)
})

t.test('a primary declaring more than the cap is streamed whole and not buffered for comparison', async (t) => {
  const big = Buffer.alloc(2 * MiB, 'p')
  const prim = await httpServer((req, res) => { res.writeHead(200, { 'content-length': big.length }); res.end(req.method === 'HEAD' ? undefined : big) })
  const cand = await httpServer((req, res) => {
    if (req.method === 'HEAD') { res.writeHead(200, { 'content-length': 100 * MiB }); res.end(); return }
    res.end('small')
  })
  const p = await proxyFor(prim.url, cand.url)
  t.teardown(async () => { await p.close(); await cand.close(); await prim.close() })

  const r = await request(`${p.url}/x`)
  const got = Buffer.from(await r.body.arrayBuffer())
  t.ok(got.equals(big), 'the client got every byte')
  const ex = await exchangeOf(p)
  t.equal(ex.primary.truncated, true, 'primary capture truncated from its head')
  t.equal(ex.primary.body.length, 0, 'nothing buffered')
  t.equal(ex.candidate.truncated, false)
  t.same(precheck(ex, CAP), { verdict: 'skipped', reason: 'body_too_large' })
  t.equal(await counterValue(p.metrics, 'shadowfig_mirror_total', { route: 'r', outcome: 'response_too_large' }), 0, 'only mirrors count here')

  // A HEAD answer declares the GET's length but has no body: nothing is truncated.
  p.exchanges.length = 0
  const h = await request(`${p.url}/x`, { method: 'HEAD' })
  await h.body.text()
  t.equal(h.headers['content-length'], String(big.length))
  const hx = await exchangeOf(p)
  t.equal(hx.primary.truncated, false, 'HEAD primary not truncated')
  t.equal(hx.candidate.truncated, false, 'HEAD candidate not truncated')
})

t.test('a candidate that keeps answering past the cap opens its circuit: a few reads per cooldown, not one per request', async (t) => {
  const cand = await huge(false)
  const p = await proxyFor(primary.url, cand.url, undefined, { failures: 3, cooldown: '60s' })
  t.teardown(async () => { await p.close(); await cand.close() })
  for (let i = 0; i < 10; i++) {
    const r = await request(p.url)
    t.equal(await r.body.text(), primaryBody)
    // one at a time: each cut is counted before the next request decides
    for (let j = 0; j < 200 && p.exchanges.length < Math.min(i + 1, 3); j++) await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const mirror = (outcome: string): Promise<number> => counterValue(p.metrics, 'shadowfig_mirror_total', { outcome })
  t.equal(await mirror('response_too_large'), 3, 'three answers were cut at the cap…')
  t.equal(await mirror('circuit_open'), 7, '…then the circuit kept the other seven from being mirrored')
  t.equal(cand.seen.length, 3, 'the candidate was asked three times')
})
