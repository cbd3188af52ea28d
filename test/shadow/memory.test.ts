/**
 * Memory stays bounded when the candidate misbehaves: after 20,000 requests with a hanging
 * or refusing candidate, the heap (after GC) and RSS sit within a margin of the same run
 * against a healthy candidate. Bounds are generous (the machine is shared); what they catch
 * is growth per request, which 20,000 requests would turn into hundreds of MiB.
 */
import t from 'tap'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Agent, request } from 'undici'
import { closedPort, httpServer } from '../helpers/servers.js'
import { startProxy } from '../helpers/proxy.js'

t.setTimeout(300_000) // 60,000 proxied requests; slower than .taprc's default on a loaded machine
v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

const body = JSON.stringify({ id: 1, items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}` })) })
const primary = await httpServer((_req, res) => res.end(body))
const healthy = await httpServer((_req, res) => res.end(body))
const hanging = await httpServer(() => {})
const refusing = `http://127.0.0.1:${await closedPort()}`
const client = new Agent({ connections: 32 })
t.teardown(async () => { await client.close(); await primary.close(); await healthy.close(); await hanging.close() })

async function run (candidateUrl: string): Promise<{ heap: number, rss: number }> {
  const p = await startProxy({
    upstreams: { primary: { url: primary.url }, candidate: { url: candidateUrl, connectTimeout: '200ms' } },
    routes: [{ name: 'r', match: { pathPrefix: '/' }, primary: 'primary', shadow: { candidate: 'candidate', timeout: '200ms', maxInFlight: 64 } }],
  })
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < 20_000) {
      next++
      const r = await request(`${p.url}/x`, { dispatcher: client })
      await r.body.text()
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker))
  p.exchanges.length = 0
  await new Promise((resolve) => setTimeout(resolve, 400)) // mirrors time out and release
  await p.close()
  gc(); gc()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, rss: m.rss }
}

t.test('heap and RSS after 20,000 requests stay near the healthy run', { timeout: 240_000 }, async (t) => {
  const MiB = 1024 * 1024
  const base = await run(healthy.url)
  for (const [name, url] of [['hanging', hanging.url], ['refusing', refusing]] as const) {
    const m = await run(url)
    t.ok(m.heap - base.heap < 32 * MiB, `${name}: heap ${(m.heap / MiB).toFixed(1)} MiB vs healthy ${(base.heap / MiB).toFixed(1)} MiB`)
    t.ok(m.rss - base.rss < 96 * MiB, `${name}: RSS ${(m.rss / MiB).toFixed(1)} MiB vs healthy ${(base.rss / MiB).toFixed(1)} MiB`)
  }
})
