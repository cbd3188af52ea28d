/**
 * The demo's traffic loop against real loopback servers: the mix, the steady loop, the in-flight
 * bound that skips instead of queueing, and failures counted rather than thrown.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { prng } from '../../src/demo/data.js'
import { Traffic, nextPath } from '../../src/demo/traffic.js'

async function server (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string, close (): Promise<void> }> {
  const s = createServer(handler)
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { s.close(() => resolve()); s.closeAllConnections() }),
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

t.test('the mix covers every route in roughly the documented shares', async (t) => {
  const rnd = prng(1)
  const counts = { order: 0, list: 0, user: 0, health: 0, missing: 0 }
  for (let i = 0; i < 10_000; i++) {
    const p = nextPath(rnd)
    if (p === '/healthz') counts.health++
    else if (p.startsWith('/api/v1/orders?user=')) counts.list++
    else if (p.startsWith('/api/v1/users/')) counts.user++
    else if (/^\/api\/v1\/orders\/\d+0$/.test(p)) counts.missing++
    else if (/^\/api\/v1\/orders\/\d+$/.test(p)) counts.order++
    else t.fail(`unexpected path ${p}`)
  }
  t.ok(Math.abs(counts.order + counts.missing - 4500) < 300, `orders ${counts.order + counts.missing}`)
  t.ok(Math.abs(counts.list - 2000) < 250, `lists ${counts.list}`)
  t.ok(Math.abs(counts.user - 3000) < 300, `users ${counts.user}`)
  t.ok(counts.health > 300 && counts.health < 700, `healthz ${counts.health}`)
  t.ok(counts.missing > 0, 'some missing orders (ids ending in 0 never exist)')
})

t.test('start() sends at about the rate until stop(); the same seed gives the same paths', async (t) => {
  const seen: string[] = []
  const s = await server((req, res) => { seen.push(req.url as string); res.end('{}') })
  t.teardown(() => s.close())
  const traffic = new Traffic({ target: s.url, rate: 100, seed: 3 })
  const t0 = performance.now()
  traffic.start()
  traffic.start() // a second start is a no-op
  await sleep(500)
  const elapsed = performance.now() - t0
  await traffic.stop()
  const sent = traffic.stats.sent
  t.ok(sent >= 10, `some requests went out (${sent})`)
  t.ok(sent <= Math.floor(elapsed / 10), `never more than the rate allows (${sent} in ${elapsed.toFixed(0)} ms at 100/s)`)
  t.equal(traffic.stats.status[200], sent)
  t.equal(traffic.stats.failed, 0)
  const rnd = prng(3)
  t.same(seen.sort(), Array.from({ length: sent }, () => nextPath(rnd)).sort())
})

t.test('at the in-flight bound the loop skips instead of queueing', async (t) => {
  const held: ServerResponse[] = []
  const s = await server((_req, res) => { held.push(res) })
  t.teardown(() => s.close())
  const traffic = new Traffic({ target: s.url, rate: 200, concurrency: 2 })
  traffic.start()
  await sleep(300)
  t.equal(traffic.stats.sent, 2, 'never more than `concurrency` in flight')
  t.ok(traffic.stats.skipped > 10, `the rest skipped (${traffic.stats.skipped})`)
  const stopped = traffic.stop()
  for (const res of held) res.end('{}')
  await stopped
  t.equal(traffic.stats.status[200], 2)
})

t.test('a proxy that is gone counts failures', async (t) => {
  const s = await server((_req, res) => res.end())
  await s.close()
  const traffic = new Traffic({ target: s.url, concurrency: 2 })
  await traffic.burst(3)
  await traffic.stop()
  t.same(traffic.stats, { sent: 3, status: {}, failed: 3, skipped: 0 })
})
