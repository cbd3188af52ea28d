/**
 * Live traffic split through the real proxy: the chosen upstream serves the client, a failed
 * candidate request is replayed on the primary only when safe, and the rollback guard trips
 * on real candidate errors and sends everyone back to the primary.
 */
import t from 'tap'
import { request } from 'undici'
import { closedPort, httpServer } from '../helpers/servers.js'
import { counterValue } from '../helpers/metrics.js'
import { buildRuntime } from '../../src/runtime.js'
import { ProxyServer } from '../../src/proxy/server.js'
import { configSchema, type ConfigInput } from '../../src/config/schema.js'
import { Metrics } from '../../src/metrics/registry.js'
import { TargetStates } from '../../src/shadow/targets.js'
import { SplitRegistry } from '../../src/split/registry.js'
import pino from 'pino'

const primary = await httpServer((_req, res) => res.end('primary'))
let candidateStatus = 200
const candidate = await httpServer((_req, res) => { res.statusCode = candidateStatus; res.end('candidate') })
t.teardown(async () => { await primary.close(); await candidate.close() })

/** The proxy wired as src/app.ts wires it: a SplitRegistry whose controllers buildRuntime hooks in. */
async function splitProxy (candidateUrl: string, split: Record<string, unknown>): Promise<{ url: string, metrics: Metrics, splits: SplitRegistry, close (): Promise<void> }> {
  const config = configSchema.parse({
    upstreams: { primary: { url: primary.url }, candidate: { url: candidateUrl, connectTimeout: '500ms' } },
    routes: [{ name: 'r', match: { pathPrefix: '/' }, primary: 'primary', split: { to: 'candidate', ...split } }],
  } as unknown as ConfigInput)
  const metrics = new Metrics({ defaultMetrics: false })
  const splits = new SplitRegistry({ metrics, log: pino({ level: 'silent' }) }, config.routes)
  const { runtime } = buildRuntime(config, 'test', { metrics, targets: new TargetStates(), sink: { submit () {} }, splits })
  const proxy = new ProxyServer(runtime, { log: pino({ level: 'silent' }) })
  const { port } = await proxy.listen(0, '127.0.0.1')
  return {
    url: `http://127.0.0.1:${port}`,
    metrics,
    splits,
    close: async () => { await proxy.drain(100); await runtime.upstreams.destroy() },
  }
}

t.test('weight 100% serves from the candidate, 0% from the primary; both counted', async (t) => {
  const p = await splitProxy(candidate.url, { weight: '100%' })
  t.teardown(() => p.close())
  t.equal(await (await request(`${p.url}/a`)).body.text(), 'candidate')
  p.splits.setWeight('r', 0)
  t.equal(await (await request(`${p.url}/a`)).body.text(), 'primary')
  t.equal(await counterValue(p.metrics, 'shadowfig_split_total', { target: 'candidate' }), 1)
  t.equal(await counterValue(p.metrics, 'shadowfig_split_total', { target: 'primary' }), 1)
  const hist = await p.metrics.upstreamDuration.get()
  const count = (role: string): number => hist.values.find((v) => v.metricName === 'shadowfig_upstream_duration_seconds_count' && v.labels.role === role)?.value ?? 0
  t.equal(count('candidate'), 1, 'the candidate-served request is timed as candidate')
  t.equal(count('primary'), 1, 'the primary-served request is timed as primary')
})

t.test('sticky: one user always lands on the same side', async (t) => {
  const p = await splitProxy(candidate.url, { weight: '50%', sticky: 'header:x-user' })
  t.teardown(() => p.close())
  for (const user of ['alice', 'bob', 'carol', 'dave']) {
    const first = await (await request(`${p.url}/`, { headers: { 'x-user': user } })).body.text()
    for (let i = 0; i < 5; i++) t.equal(await (await request(`${p.url}/`, { headers: { 'x-user': user } })).body.text(), first, `${user} stays on ${first}`)
  }
})

t.test('candidate unreachable: a GET is replayed on the primary, a POST gets 502', async (t) => {
  const p = await splitProxy(`http://127.0.0.1:${await closedPort()}`, { weight: '100%', guard: { maxErrorRate: '100%', minSamples: 1000 } })
  t.teardown(() => p.close())
  const get = await request(`${p.url}/safe`)
  t.equal(get.statusCode, 200)
  t.equal(await get.body.text(), 'primary', 'GET retried on the primary')
  const post = await request(`${p.url}/write`, { method: 'POST', body: 'x' })
  t.equal(post.statusCode, 502)
  t.match(await post.body.text(), /SHADOWFIG_ERR_UPSTREAM_CONNECT/)
  t.equal(await counterValue(p.metrics, 'shadowfig_requests_total', {}), 2, 'each client request counted once, the replayed GET too')
})

t.test('the guard trips on real candidate 5xx and sends everyone back to the primary', async (t) => {
  candidateStatus = 503
  t.teardown(() => { candidateStatus = 200 })
  const p = await splitProxy(candidate.url, { weight: '100%', guard: { maxErrorRate: '10%', minSamples: 5, window: '1m' } })
  t.teardown(() => p.close())
  const seen: number[] = []
  for (let i = 0; i < 8; i++) {
    const r = await request(`${p.url}/x`)
    await r.body.text()
    seen.push(r.statusCode)
  }
  t.same(seen.slice(0, 5), [503, 503, 503, 503, 503], 'the candidate served until the minimum sample count')
  t.same(seen.slice(5), [200, 200, 200], 'then the guard tripped and the primary serves')
  t.equal(p.splits.get('r')?.weight, 0)
  t.equal(p.splits.get('r')?.tripped?.reason, 'error_rate')
})
