/**
 * The climb under `shadowfig --workers 2`: the real CLI, two workers on one port. Each worker
 * keeps its own window, so a step is decided by whichever worker gets there first and relayed
 * by the primary (step → applyStep); every worker must end up at every step, never apart for
 * longer than the relay. Promote on the primary's admin port: one worker decides, the other
 * takes its weight. The climb's state goes to the top-level `state.dir`. Every worker's weight changes are read from its own log lines (`pid`),
 * since the primary's /metrics aggregates the weight gauge by max.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { httpServer } from '../helpers/servers.js'
import { configHead, metricSum, request, startCluster, type LogLine } from './harness.js'

const TOKEN = 'cluster-climb-token'
const auth = { authorization: `Bearer ${TOKEN}` }
const json = { ...auth, 'content-type': 'application/json' }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

t.test('--workers 2: the climb steps every worker together; promote on the cluster admin', async (t) => {
  // Primary and candidate answer alike, so every shadow verdict is a match and the route is ready.
  const live = { mono: 0, cand: 0 }
  const answer = (side: 'mono' | 'cand'): Parameters<typeof httpServer>[0] => (req, res) => {
    if (req.url?.startsWith('/climb') === true && req.headers['x-shadowfig-role'] === undefined) live[side]++
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  }
  const mono = await httpServer(answer('mono'))
  t.teardown(mono.close)
  const cand = await httpServer(answer('cand'))
  t.teardown(cand.close)
  const dir = await mkdtemp(join(tmpdir(), 'shadowfig-cluster-climb-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'shadowfig.yaml')
  await writeFile(file, `${configHead(TOKEN, '1s', { mono: mono.url, cand: cand.url })}
state: { dir: state }
routes:
  - name: climbing
    match: { pathPrefix: /climb }
    primary: mono
    shadow: { candidate: cand, sample: 100% }
    split: { to: cand, weight: 1%, steps: [5%, 20%, 50%, 100%], stepAfter: 200ms, guard: { minSamples: 3, window: 1m } }
  - name: manual
    match: { pathPrefix: /manual }
    primary: mono
    shadow: { candidate: cand, sample: 100% }
    split: { to: cand, weight: 10%, steps: [50%, 100%], stepAfter: 1ms, approval: manual, guard: { minSamples: 3, window: 1m } }
  - name: fixed
    match: { pathPrefix: /fixed }
    primary: mono
    split: { to: cand, weight: 10% }
`)
  const c = startCluster(['--config', file, '--workers', '2'])
  t.teardown(c.close)
  const started = await c.waitFor('shadowfig.cluster.started', 1, 60_000)
  const proxy = `http://${started.proxy as string}`
  const admin = `http://${started.admin as string}`
  const workers = [...new Set(c.events('shadowfig.started').map((l) => l.pid as number))]
  t.equal(workers.length, 2, 'two workers')
  const metrics = async (): Promise<string> => (await request(`${admin}/metrics`)).body
  /** Each worker's weight changes on a route, in order: the weight events its own log holds. */
  const history = (route: string): Map<number, LogLine[]> => new Map(workers.map((pid) => [pid,
    c.events('shadowfig.split.weight').filter((l) => l.route === route && l.pid === pid)]))
  /** Fresh connections, so the cluster's scheduling spreads them over both workers. */
  const send = async (path: string, n: number): Promise<number[]> => {
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => request(`${proxy}${path}/${i}`)))
    return [...new Set(answers.map((a) => a.status))]
  }
  /** Worker log lines reach the primary's stdout after the IPC answer: wait for them (bounded). */
  const until = async (cond: () => boolean, ms = 10_000): Promise<boolean> => {
    for (let i = 0; i < ms / 20 && !cond(); i++) await sleep(20)
    return cond()
  }

  await t.test('a healthy candidate climbs 1% → 100% in both workers, one step at a time', async (t) => {
    const reached = (): boolean => [...history('climbing').values()].every((h) => h.at(-1)?.weight === 1)
    for (let i = 0; i < 300 && !reached(); i++) {
      t.same(await send('/climb', 8), [200])
      await sleep(50)
    }
    t.ok(reached(), 'every worker reached 100%')
    const steps = [0.05, 0.2, 0.5, 1]
    for (const [pid, h] of history('climbing')) {
      const ws = h.map((l) => l.weight as number)
      t.same(ws, [...ws].sort((a, b) => a - b), `worker ${pid} only went up`)
      t.same([...new Set(ws)].filter((w) => !steps.includes(w)), [], `worker ${pid} only took climb steps`)
      t.same(h.map((l) => l.reason).filter((r) => r !== 'climb' && r !== 'climb (another worker)'), [], `worker ${pid}: climb steps, its own or relayed`)
    }
    // Every step was decided by a worker's climb, and every such decision was relayed.
    const decided = c.events('shadowfig.split.promoted').filter((l) => l.route === 'climbing')
    t.same([...new Set(decided.map((l) => l.to))], steps, 'each step decided in order')
    t.ok(decided.every((l) => l.by === 'climb' && l.ready === true))
    await c.waitFor('shadowfig.cluster.step_relayed', decided.length)
    t.same(c.events('shadowfig.cluster.step_relayed').map((l) => l.to).sort(), decided.map((l) => l.to).sort(), 'one relay per decision')
    const followed = c.events('shadowfig.split.weight').filter((l) => l.route === 'climbing' && l.reason === 'climb (another worker)')
    t.ok(followed.length >= 1, `a worker followed a step it did not decide (${followed.length})`)
    t.equal(metricSum(await metrics(), 'shadowfig_split_weight_ratio', { route: 'climbing' }), 1)

    // No worker left at a lower weight: at 100% the primary serves none of the live requests.
    const before = { ...live }
    t.same(await send('/climb', 20), [200])
    t.equal(live.mono - before.mono, 0, 'the primary serves no live /climb request')
    t.equal(live.cand - before.cand, 20, 'the candidate serves all of them')

    const report = await request(`${admin}/api/report`, { headers: auth })
    t.equal(report.status, 200)
    const route = (JSON.parse(report.body) as { live: Record<string, unknown> }).live.climbing
    t.match(route, { workers: 2, weight: 1, tripped: null, climb: { steps: steps, step: 4, next: null, stopped: null, waitingFor: [] } })

    // state.dir: the workers write the same state, each through its own temporary file.
    const state = (): unknown => { try { return JSON.parse(readFileSync(join(dir, 'state', 'climbing.climb.json'), 'utf8')) } catch { return undefined } }
    t.ok(await until(() => (state() as { weight?: number } | undefined)?.weight === 1), 'the state file says 100%')
    t.match(state(), { route: 'climbing', weight: 1, stopped: false })
  })

  await t.test('a manual route waits in both workers; promote on the cluster admin moves both', async (t) => {
    const readyEverywhere = async (): Promise<boolean> => {
      const res = await request(`${admin}/api/report`, { headers: auth })
      return (JSON.parse(res.body) as { live: Record<string, { ready: boolean }> }).live.manual.ready
    }
    for (let i = 0; i < 100 && !(await readyEverywhere()); i++) {
      t.same(await send('/manual', 8), [200])
      await sleep(50)
    }
    t.ok(await readyEverywhere(), 'both workers are ready')
    // Readiness is what a manual climb waits for too; a further sample then marks it.
    const awaiting = (): LogLine[] => c.events('shadowfig.split.awaiting_approval').filter((l) => l.route === 'manual')
    for (let i = 0; i < 100 && new Set(awaiting().map((l) => l.pid)).size < 2; i++) {
      await send('/manual', 4)
      await until(() => new Set(awaiting().map((l) => l.pid)).size === 2, 200)
    }
    t.same(new Set(awaiting().map((l) => l.pid)), new Set(workers), 'each worker says it awaits approval')
    t.ok(awaiting().every((l) => l.from === 0.1 && l.to === 0.5))
    t.equal(metricSum(await metrics(), 'shadowfig_split_weight_ratio', { route: 'manual' }), 0.1, 'and neither moved by itself')
    const res = await request(`${admin}/api/report`, { headers: auth })
    t.match((JSON.parse(res.body) as { live: Record<string, unknown> }).live.manual,
      { climb: { awaitingApproval: true, next: 0.5, waitingFor: ['approval: shadowfig promote manual'] } })

    const unauth = await request(`${admin}/api/routes/manual/promote`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    t.equal(unauth.status, 401, 'the token is required on the primary')
    const ok = await request(`${admin}/api/routes/manual/promote`, { method: 'POST', headers: json, body: '{}' })
    t.equal(ok.status, 200, ok.body)
    t.match(JSON.parse(ok.body), { ok: true, route: 'manual', from: 0.1, to: 0.5, weight: 0.5, forced: false })
    t.ok(await until(() => [...history('manual').values()].every((h) => h.at(-1)?.weight === 0.5)), 'every worker at 50%')
    t.same([...history('manual').values()].flat().map((l) => l.reason).sort(), ['admin', 'promote'],
      'one worker decided (promote), the other took its weight')

    const top = await request(`${admin}/api/routes/manual/promote`, { method: 'POST', headers: json, body: '{"to":"100%"}' })
    t.equal(top.status, 200, top.body)
    const done = await request(`${admin}/api/routes/manual/promote`, { method: 'POST', headers: json, body: '{}' })
    t.equal(done.status, 409, 'at the top of its climb')
    t.match(JSON.parse(done.body), { error: { code: 'SHADOWFIG_ERR_CONFLICT' } })
    t.equal((await request(`${admin}/api/routes/fixed/promote`, { method: 'POST', headers: json, body: '{}' })).status, 400, 'a split without steps has no climb')
    t.equal((await request(`${admin}/api/routes/nope/promote`, { method: 'POST', headers: json, body: '{}' })).status, 404)
    t.equal(metricSum(await metrics(), 'shadowfig_split_weight_ratio', { route: 'manual' }), 1)
  })

  await t.test('SIGTERM stops the cluster', async (t) => {
    c.child.kill('SIGTERM')
    t.equal((await c.exited()).code, 0)
  })
})
