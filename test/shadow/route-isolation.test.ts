/**
 * One route's hung candidate must not starve another route's mirrors: bounds are per route
 * and per target first; the global bound is only a memory guard no single target can reach,
 * and the comparison queue sheds only when it is full now (not for mirrors still on the wire).
 */
import t from 'tap'
import { request } from 'undici'
import { httpServer } from '../helpers/servers.js'
import { startProxy } from '../helpers/proxy.js'
import { counterValue } from '../helpers/metrics.js'
import type { Exchange } from '../../src/shadow/exchange.js'

t.test('a hung candidate on route A leaves route B mirroring every request', async (t) => {
  const primary = await httpServer((_req, res) => res.end('{"ok":true}'))
  const held: Array<() => void> = []
  const hung = await httpServer((_req, res) => { held.push(() => res.destroy()) }) // never answers
  const healthy = await httpServer((_req, res) => res.end('{"ok":true}'))
  const exchanges: Exchange[] = []
  // A comparison queue of 40 places, never full: A's open mirrors (they never arrive) fill
  // A's claim on it, and must not count against B, as they did when every route's open
  // mirrors held the queue's places.
  const sink = { submit: (e: Exchange) => { exchanges.push(e) }, room: () => 40 }
  const p = await startProxy({
    upstreams: { primary: { url: primary.url }, hung: { url: hung.url }, healthy: { url: healthy.url } },
    routes: [
      { name: 'a', match: { pathPrefix: '/a' }, primary: 'primary', shadow: { candidate: 'hung', timeout: '30s', maxInFlight: 50 } },
      { name: 'b', match: { pathPrefix: '/b' }, primary: 'primary', shadow: { candidate: 'healthy', maxInFlight: 50 } },
    ],
  } as never, sink)
  t.teardown(async () => { for (const h of held) h(); await p.close(); await primary.close(); await hung.close(); await healthy.close() })

  for (let i = 0; i < 60; i++) {
    const [a, b] = await Promise.all([request(`${p.url}/a/${i}`), request(`${p.url}/b/${i}`)])
    t.equal(a.statusCode, 200); await a.body.dump()
    t.equal(b.statusCode, 200); await b.body.dump()
  }
  for (let i = 0; i < 100 && exchanges.length < 60; i++) await new Promise((r) => setTimeout(r, 20))
  const mirrors = (route: string, outcome: string): Promise<number> => counterValue(p.metrics, 'shadowfig_mirror_total', { route, outcome })
  t.equal(await mirrors('b', 'sent'), 60, 'route B mirrored all 60 requests')
  t.equal(await mirrors('b', 'saturated'), 0, 'route B shed nothing')
  t.equal(exchanges.filter((e) => e.route === 'b').length, 60, 'and all 60 reached the comparison side')
  t.equal(await mirrors('a', 'sent'), 40, "route A mirrored until its own open mirrors claimed the queue's 40 places…")
  t.equal(await mirrors('a', 'saturated'), 20, '…and shed the rest, counted')
})
