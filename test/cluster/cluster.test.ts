/**
 * `shadowfig --workers 2` end to end: the real CLI, two real workers on one port, a real
 * upstream and the admin port of the primary. One cluster runs the steps in order (each step
 * builds on the state the previous one left), and is drained by SIGTERM at the end.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { closedPort, httpServer } from '../helpers/servers.js'
import { configHead, metricSum, request, startCluster } from './harness.js'

const TOKEN = 'cluster-test-token'
const auth = { authorization: `Bearer ${TOKEN}` }

t.test('--workers 2', async (t) => {
  let slowArrived: () => void = () => {}
  const upstream = await httpServer((req, res) => {
    if (req.url === '/slow') {
      slowArrived()
      setTimeout(() => res.end('slow done'), 800)
      return
    }
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  })
  t.teardown(upstream.close)
  const candidate = await httpServer((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":false}')
  })
  t.teardown(candidate.close)
  const down = await closedPort()
  const dir = await mkdtemp(join(tmpdir(), 'shadowfig-cluster-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'shadowfig.yaml')
  const config = (extraRoute = ''): string => `${configHead(TOKEN, '3s', { mono: upstream.url, cand: `http://127.0.0.1:${down}`, shadow: candidate.url })}
routes:
  - name: shadowed
    match: { pathPrefix: /sh/ }
    primary: mono
    shadow: { candidate: shadow, sample: 100% }
  - name: shifted
    match: { pathPrefix: /shift }
    primary: mono
    split: { to: cand, weight: 100%, guard: { maxErrorRate: 1%, minSamples: 5, window: 1m } }
${extraRoute}  - name: all
    match: { pathPrefix: / }
    primary: mono
`
  await writeFile(file, config())

  const c = startCluster(['--config', file, '--workers', '2'])
  t.teardown(c.close)
  const started = await c.waitFor('shadowfig.cluster.started', 1, 60_000)
  t.equal(started.workers, 2)
  const proxy = `http://${started.proxy as string}`
  const admin = `http://${started.admin as string}`
  t.not(proxy.endsWith(':0'), true, 'workers report the port they share')
  const metrics = async (): Promise<string> => (await request(`${admin}/metrics`)).body

  await t.test('both workers serve one port; /metrics sums their counters', async (t) => {
    t.equal(c.events('shadowfig.cluster.worker_ready').length, 2)
    const pids = new Set(c.events('shadowfig.started').map((l) => l.pid))
    t.equal(pids.size, 2, 'two worker processes started the app')
    t.notOk(pids.has(c.child.pid), 'the primary runs no app')
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => request(`${proxy}/item/${i}`)))
    t.same([...new Set(answers.map((a) => a.status))], [200])
    const text = await metrics()
    t.equal(metricSum(text, 'shadowfig_requests_total', { route: 'all' }), 200)
    t.equal(metricSum(text, 'shadowfig_cluster_workers'), 2)
    t.equal(metricSum(text, 'shadowfig_split_weight_ratio', { route: 'shifted' }), 1)
    t.equal((await request(`${admin}/healthz`)).status, 200)
    t.equal((await request(`${admin}/readyz`)).status, 200)
  })

  await t.test('the split weight is set in every worker', async (t) => {
    const unauth = await request(`${admin}/api/routes/shifted/split`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"weight":0}' })
    t.equal(unauth.status, 401, 'the token is required on the primary too')
    const set = await request(`${admin}/api/routes/shifted/split`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"weight":"30%"}' })
    t.equal(set.status, 200, set.body)
    t.match(JSON.parse(set.body), { ok: true, route: 'shifted', weight: 0.3, fileWeight: 1 })
    // The gauge aggregates by max: 0.3 means no worker kept the file's 1.
    t.equal(metricSum(await metrics(), 'shadowfig_split_weight_ratio', { route: 'shifted' }), 0.3)
    const missing = await request(`${admin}/api/routes/nope/split`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"weight":0}' })
    t.equal(missing.status, 404)
  })

  await t.test('a guard trip in one worker rolls the split back in all', async (t) => {
    const reset = await request(`${admin}/api/routes/shifted/split`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"weight":1}' })
    t.equal(reset.status, 200)
    // One keep-alive connection: one worker sees every failing candidate request.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    t.teardown(() => agent.destroy())
    for (let i = 0; i < 6; i++) t.equal((await request(`${proxy}/shift/${i}`, { agent })).status, 200, 'failed over to the primary')
    const relayed = await c.waitFor('shadowfig.cluster.trip_relayed')
    t.equal(relayed.route, 'shifted')
    t.equal(metricSum(await metrics(), 'shadowfig_split_weight_ratio', { route: 'shifted' }), 0, 'every worker at 0')
    const report = await request(`${admin}/api/report`, { headers: auth })
    t.equal(report.status, 200)
    const live = (JSON.parse(report.body) as { live: Record<string, { workers: number, weight: number, tripped: unknown }> }).live.shifted
    t.match(live, { workers: 2, weight: 0, tripped: { reason: 'error_rate' } })
  })

  await t.test('reload reaches every worker; a bad file changes none', async (t) => {
    await writeFile(file, config('  - name: added\n    match: { pathPrefix: /added }\n    primary: mono\n'))
    const ok = await request(`${admin}/api/reload`, { method: 'POST', headers: auth })
    t.equal(ok.status, 200, ok.body)
    const hash = (JSON.parse(ok.body) as { hash: string }).hash
    const text = await metrics()
    t.equal(metricSum(text, 'shadowfig_config_info'), 1, 'one hash across the workers')
    t.equal(metricSum(text, 'shadowfig_config_info', { hash }), 1)
    const added = await Promise.all(Array.from({ length: 10 }, () => request(`${proxy}/added`)))
    t.same(added.map((a) => a.status), Array(10).fill(200))
    t.equal(metricSum(await metrics(), 'shadowfig_requests_total', { route: 'added' }), 10, 'both workers route the new route')

    await writeFile(file, 'listen: { port: "nope" }\n')
    const bad = await request(`${admin}/api/reload`, { method: 'POST', headers: auth })
    t.equal(bad.status, 400)
    t.match(JSON.parse(bad.body), { errors: [new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ':\\d+:\\d+')] })
    t.equal(metricSum(await metrics(), 'shadowfig_config_info', { hash }), 1, 'the running config stays')
    await writeFile(file, config('  - name: added\n    match: { pathPrefix: /added }\n    primary: mono\n'))
    t.equal((await request(`${admin}/api/reload`, { method: 'POST', headers: auth })).status, 200)
  })

  await t.test('reports, samples and the page merge every worker', async (t) => {
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => request(`${proxy}/sh/${i}`)))
    t.same([...new Set(sent.map((a) => a.status))], [200])
    for (let i = 0; i < 100 && metricSum(await metrics(), 'shadowfig_comparisons_total', { route: 'shadowed' }) !== 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    t.equal(metricSum(await metrics(), 'shadowfig_comparisons_total', { route: 'shadowed', verdict: 'mismatch' }), 20)
    const res = await request(`${admin}/api/report`, { headers: auth })
    t.equal(res.status, 200)
    const route = (JSON.parse(res.body) as { routes: Array<{ route: string, total: number, verdicts: { mismatch: number }, mismatchRate: number, topFields: unknown[], signatures: Array<{ count: number, sampleIds: string[] }> }> }).routes.find((r) => r.route === 'shadowed')
    t.match(route, { total: 20, verdicts: { mismatch: 20 }, mismatchRate: 1, topFields: [{ field: '$.ok', count: 20, rate: 1 }] })
    t.equal(route?.signatures.length, 1, 'one signature, merged across workers')
    t.equal(route?.signatures[0].count, 20)
    const ids = route?.signatures[0].sampleIds ?? []
    t.ok(ids.length >= 2, `sample ids from both workers (${ids.length})`)
    for (const id of ids) {
      const d = await request(`${admin}/api/diffs/${id}`, { headers: auth })
      t.equal(d.status, 200, `sample ${id}`)
      t.equal((JSON.parse(d.body) as { id: string }).id, id)
    }
    t.equal((await request(`${admin}/api/diffs/no-such-id`, { headers: auth })).status, 404)
    const page = await request(`${admin}/report`, { headers: auth })
    t.equal(page.status, 200)
    t.match(page.body, 'shadowed')
    t.match(page.body, ids[0], 'the page shows a sample copied from a worker')
  })

  await t.test('a killed worker is replaced and adopts the live split state', async (t) => {
    const before = metricSum(await metrics(), 'shadowfig_requests_total') as number
    const victim = c.events('shadowfig.cluster.worker_ready')[0].workerPid as number
    process.kill(victim, 'SIGKILL')
    const exit = await c.waitFor('shadowfig.cluster.worker_exit')
    t.equal(exit.signal, 'SIGKILL')
    await c.waitFor('shadowfig.cluster.worker_ready', 3)
    const text = await metrics()
    const after = metricSum(text, 'shadowfig_requests_total') as number
    t.ok(after > 0 && after < before, `the survivor's counts remain, the victim's went with it (${after} of ${before})`)
    t.equal(metricSum(text, 'shadowfig_cluster_worker_restarts_total'), 1)
    t.equal(metricSum(text, 'shadowfig_cluster_workers'), 2, 'the replacement is counted (and scraped)')
    t.equal(metricSum(text, 'shadowfig_split_weight_ratio', { route: 'shifted' }), 0, 'the new worker took the trip over')
    t.equal((await request(`${admin}/readyz`)).status, 200)
  })

  await t.test('a worker that cannot start is retried with growing delays; the other serves', async (t) => {
    await writeFile(file, 'routes: []\n')
    const readyBefore = c.events('shadowfig.cluster.worker_ready').length
    const exitsBefore = c.events('shadowfig.cluster.worker_exit').length
    process.kill(c.events('shadowfig.cluster.worker_ready')[readyBefore - 1].workerPid as number, 'SIGKILL')
    const exits = [1, 2].map((n) => c.waitFor('shadowfig.cluster.worker_exit', exitsBefore + n, 60_000))
    const delays = await Promise.all(exits.map(async (e) => (await e).restartInMs as number))
    // This slot already failed once in the previous step, less than stableMs ago: 500, 1000.
    t.same(delays, [500, 1000], 'the backoff doubles per consecutive failure of the slot')
    t.equal((await exits[1]).code, 1, 'the replacement exits 1 on the invalid file')
    t.equal((await request(`${admin}/readyz`)).status, 503, 'not ready while a worker is missing')
    t.equal((await request(`${proxy}/item/x`)).status, 200, 'the survivor serves')
    await writeFile(file, config('  - name: added\n    match: { pathPrefix: /added }\n    primary: mono\n'))
    await c.waitFor('shadowfig.cluster.worker_ready', readyBefore + 1, 60_000)
    t.equal((await request(`${admin}/readyz`)).status, 200)
  })

  await t.test('SIGTERM drains every worker and exits 0', async (t) => {
    const arrived = new Promise<void>((resolve) => { slowArrived = resolve })
    const slow = request(`${proxy}/slow`)
    await arrived
    c.child.kill('SIGTERM')
    const answer = await slow
    t.equal(answer.status, 200)
    t.equal(answer.body, 'slow done', 'the in-flight request completed')
    const { code } = await c.exited()
    t.equal(code, 0)
    t.match(c.events('shadowfig.cluster.stopped')[0], { clean: true })
  })
})

t.test('an invalid config fails the start with exit code 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'shadowfig-cluster-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'bad.yaml')
  await writeFile(file, 'routes: []\n')
  const c = startCluster(['--config', file, '--workers', '2'])
  t.teardown(c.close)
  const { code } = await c.exited()
  t.equal(code, 1)
  t.match(c.stderr(), `${file}:`)
})
