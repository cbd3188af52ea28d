import t from 'tap'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { routeSchema } from '../../src/config/schema.js'
import { Metrics } from '../../src/metrics/registry.js'
import { SplitRegistry } from '../../src/split/registry.js'
import type { SplitController } from '../../src/split/controller.js'
import { collector, harness, value, type Logged } from './fixtures.js'

const CLIMB = { weight: '1%', steps: ['5%', '20%', '50%', '100%'], stepAfter: '1m', guard: { minSamples: 10, maxErrorRate: '10%' } }

/** n healthy (or failing) candidate samples, each with a primary latency beside it. */
function feed (c: SplitController, n: number, status = 200): void {
  for (let i = 0; i < n; i++) {
    c.recordPrimary(10, 200)
    c.recordCandidate({ status, durationMs: 10 })
  }
}

const events = (lines: Logged[], name: string): Array<Record<string, unknown>> => lines.filter((l) => l.obj.event === name).map((l) => l.obj)

t.test('a healthy candidate climbs 1% → 100% through every step, one stepAfter and minSamples each', async (t) => {
  const h = harness({ ...CLIMB, approval: 'auto' })
  const seen: number[] = [h.c.weight]
  for (let k = 0; k < 6; k++) {
    feed(h.c, 10)
    t.equal(h.c.weight, seen[seen.length - 1], 'samples alone do not step before stepAfter')
    h.clock.t += 60_000
    feed(h.c, 1)
    if (h.c.weight !== seen[seen.length - 1]) seen.push(h.c.weight)
  }
  t.same(seen, [0.01, 0.05, 0.2, 0.5, 1])
  t.same(events(h.lines, 'shadowfig.split.promoted').map((e) => [e.from, e.to, e.by]),
    [[0.01, 0.05, 'climb'], [0.05, 0.2, 'climb'], [0.2, 0.5, 'climb'], [0.5, 1, 'climb']])
  t.match(events(h.lines, 'shadowfig.split.promoted')[0], { route: 'invoices', ready: true, samples: Number, errorRate: 0, mismatchRate: 0, latencyRatio: 1 })
  t.equal(await value(h.metrics.splitWeight, { route: 'invoices' }), 1, 'the weight gauge follows')
  t.match(h.c.climb?.status(h.c.readiness()), { step: 4, next: null, waitingFor: [], stopped: null })
})

t.test('samples counted at a weight start over after each step', async (t) => {
  const h = harness(CLIMB)
  h.clock.t += 60_000
  feed(h.c, 10)
  t.equal(h.c.weight, 0.05)
  h.clock.t += 60_000
  feed(h.c, 9)
  t.equal(h.c.weight, 0.05, 'nine samples at 5% are not enough')
  t.match(h.c.climb?.status(h.c.readiness()), { step: 1, samplesAtWeight: 9, next: 0.2, waitingFor: ['samples: 9 of 10 at 5%'] })
  feed(h.c, 1)
  t.equal(h.c.weight, 0.2)
})

t.test('a route that is not ready does not step, and is re-examined at most once a second', async (t) => {
  const h = harness({ ...CLIMB, guard: { minSamples: 10, maxErrorRate: '50%' } })
  h.clock.t += 60_000
  feed(h.c, 9)
  feed(h.c, 1, 503) // 10% errors: not ready (the readiness bar is 0.1%), below the guard
  t.equal(h.c.weight, 0.01)
  t.equal(h.c.tripped, undefined)
  const st = h.c.climb?.status(h.c.readiness())
  t.match(st?.waitingFor, [/^readiness: 10\/10 samples, error rate 10%/])
})

t.test('manual approval: waits, says so once, and moves on promote', async (t) => {
  const h = harness({ ...CLIMB, approval: 'manual' })
  h.clock.t += 60_000
  feed(h.c, 30)
  t.equal(h.c.weight, 0.01, 'a manual climb never moves by itself')
  t.same(events(h.lines, 'shadowfig.split.awaiting_approval').map((e) => [e.from, e.to, e.ready]), [[0.01, 0.05, true]])
  t.match(h.c.climb?.status(h.c.readiness()), { awaitingApproval: true, next: 0.05, waitingFor: ['approval: shadowfig promote invoices'] })
  t.same(h.c.climb?.promote({}), { ok: true, route: 'invoices', from: 0.01, to: 0.05, weight: 0.05, forced: false })
  t.match(events(h.lines, 'shadowfig.split.promoted').at(-1), { from: 0.01, to: 0.05, by: 'operator', forced: false })
  t.match(h.c.climb?.status(h.c.readiness()), { awaitingApproval: false, step: 1, samplesAtWeight: 0 })
  t.match(h.c.climb?.promote({ to: 0.5 }), { ok: true, from: 0.05, to: 0.5 }, 'an operator may skip to a given step while ready')
  t.match(h.c.climb?.promote({ to: 0.2 }), { ok: false, status: 400, error: /20% is not above the live weight 50%/ })
})

t.test('promote is refused when not ready or tripped, unless forced (and the force is logged)', async (t) => {
  const h = harness({ ...CLIMB, approval: 'manual' })
  t.match(h.c.climb?.promote({}), { ok: false, status: 409, error: /not ready: 0\/10 samples.*--force/ })
  t.match(h.c.climb?.promote({ force: true }), { ok: true, to: 0.05, forced: true })
  t.match(events(h.lines, 'shadowfig.split.promote_forced'), [{ route: 'invoices', from: 0.01, to: 0.05, refusal: /not ready/ }])
  feed(h.c, 10, 503)
  t.equal(h.c.weight, 0, 'the guard tripped')
  t.match(h.c.climb?.promote({}), { ok: false, status: 409, error: /guard of route invoices tripped \(error_rate\)/ })
  t.match(h.c.climb?.promote({ to: 1 }), { ok: false, status: 409 })
  t.match(h.c.climb?.promote({ force: true }), { ok: true, from: 0, to: 0.01 })
  t.equal(h.c.tripped, undefined)
  t.match(h.c.climb?.promote({ to: 1, force: true }), { ok: true, to: 1 })
  t.match(h.c.climb?.promote({}), { ok: false, status: 409, error: /at the top of its climb \(100%\)/ })
})

t.test('a candidate that starts failing mid-climb trips to 0 and stays there', async (t) => {
  const h = harness(CLIMB)
  h.clock.t += 60_000
  feed(h.c, 10)
  h.clock.t += 60_000
  feed(h.c, 10)
  t.equal(h.c.weight, 0.2)
  feed(h.c, 5, 502)
  t.equal(h.c.weight, 0, 'tripped')
  for (let k = 0; k < 5; k++) { h.clock.t += 120_000; feed(h.c, 50) }
  t.equal(h.c.weight, 0, 'good samples and time never restart the climb')
  t.equal(events(h.lines, 'shadowfig.split.promoted').length, 2)
  t.match(h.c.climb?.status(h.c.readiness()), { stopped: 'tripped', next: 0.01, waitingFor: [/an operator: the guard tripped \(error_rate\)/] })
  t.equal(await value(h.metrics.splitWeight, { route: 'invoices' }), 0)
})

t.test('an operator rollback to 0 stops the climb; setting a weight resumes it from there', async (t) => {
  const h = harness(CLIMB)
  h.c.setWeight(0, 'admin')
  h.clock.t += 60_000
  feed(h.c, 20)
  t.equal(h.c.weight, 0)
  t.match(h.c.climb?.status(h.c.readiness()), { stopped: 'rolled_back', step: null, waitingFor: [/rolled back to 0/] })
  h.c.setWeight(0.2, 'admin')
  h.clock.t += 60_000
  feed(h.c, 10)
  t.equal(h.c.weight, 0.5, 'the climb continues from the weight the operator set')
  h.c.reset()
  t.match(h.c.climb?.status(h.c.readiness()), { step: 0, stopped: null })
})

t.test('a climb from weight 0 (shadow only) starts at its first step', async (t) => {
  const h = harness({ ...CLIMB, weight: 0 })
  h.clock.t += 60_000
  feed(h.c, 10)
  t.equal(h.c.weight, 0.05)
})

t.test('sticky cohorts only move primary → candidate as the climb steps up', async (t) => {
  const h = harness({ ...CLIMB, sticky: 'header:x-user' })
  const users = Array.from({ length: 2000 }, (_, i) => `user-${i}`)
  let onCandidate = new Set<string>()
  for (const w of [0.01, 0.05, 0.2, 0.5, 1]) {
    if (h.c.weight !== w) { h.clock.t += 60_000; feed(h.c, 10) }
    t.equal(h.c.weight, w)
    const now = new Set(users.filter((u) => h.c.choose({ 'x-user': u }) === 'candidate'))
    t.same([...onCandidate].filter((u) => !now.has(u)), [], `nobody moves back at ${w}`)
    t.ok(now.size >= onCandidate.size)
    onCandidate = now
  }
  t.equal(onCandidate.size, users.length)
})

t.test('without steps there is no climb; the registry says so on promote', async (t) => {
  const h = harness({ weight: '5%' })
  t.equal(h.c.climb, undefined)
  const reg = new SplitRegistry({ metrics: new Metrics({ defaultMetrics: false }), log: collector().log }, [
    routeSchema.parse({ name: 'plain', match: { pathPrefix: '/' }, primary: 'monolith', split: { to: 'b', weight: '5%' } }),
  ])
  t.match(reg.promote('plain', {}), { ok: false, status: 400, error: /no split.steps/ })
  t.match(reg.promote('nope', {}), { ok: false, status: 404 })
  t.equal(reg.status()[0].climb, undefined)
})

function climbRoutes (split: Record<string, unknown>): ReturnType<typeof routeSchema.parse>[] {
  return [routeSchema.parse({ name: 'invoices', match: { pathPrefix: '/' }, primary: 'monolith', split: { to: 'billing-svc', ...CLIMB, ...split } })]
}

t.test('a reload that leaves the split block unchanged keeps the step, its time and samples', async (t) => {
  const clock = { t: 1_000_000 }
  const reg = new SplitRegistry({ metrics: new Metrics({ defaultMetrics: false }), log: collector().log, now: () => clock.t }, climbRoutes({}))
  const c0 = reg.get('invoices') as SplitController
  clock.t += 60_000
  feed(c0, 10)
  t.equal(c0.weight, 0.05)
  clock.t += 30_000
  feed(c0, 4)
  reg.rebuild(climbRoutes({}))
  const c1 = reg.get('invoices') as SplitController
  t.not(c1, c0)
  t.equal(c1.weight, 0.05, 'same step after the reload')
  t.match(reg.status()[0].climb, { step: 1, atWeightMs: 30_000, samplesAtWeight: 4 })
  clock.t += 30_000
  feed(c1, 6)
  t.equal(c1.weight, 0.2, 'the climb goes on with the time and samples from before the reload')
  reg.rebuild(climbRoutes({ stepAfter: '2m' }))
  t.equal(reg.get('invoices')?.weight, 0.01, 'an edited split block starts from the file')
})

t.test('stateFile: a restart resumes the persisted step, never above it; a trip persists as 0', async (t) => {
  const dir = t.testdir({})
  const clock = { t: 1_000_000 }
  const { log, lines } = collector()
  const start = (): SplitRegistry => new SplitRegistry({ metrics: new Metrics({ defaultMetrics: false }), log, now: () => clock.t, baseDir: dir }, climbRoutes({ stateFile: 'invoices.climb.json' }))
  const file = join(dir, 'invoices.climb.json')
  let reg = start()
  t.equal(reg.get('invoices')?.weight, 0.01, 'no state yet: the file weight')
  for (let k = 0; k < 2; k++) { clock.t += 60_000; feed(reg.get('invoices') as SplitController, 10) }
  t.equal(reg.get('invoices')?.weight, 0.2)
  t.match(JSON.parse(readFileSync(file, 'utf8')), { route: 'invoices', weight: 0.2, stopped: false })
  reg = start()
  t.equal(reg.get('invoices')?.weight, 0.2, 'restart resumes at 20%')
  t.match(reg.status()[0].climb, { step: 2, samplesAtWeight: 0 })
  feed(reg.get('invoices') as SplitController, 10, 500)
  t.equal(reg.get('invoices')?.weight, 0)
  t.match(JSON.parse(readFileSync(file, 'utf8')), { weight: 0, stopped: true })
  reg = start()
  t.equal(reg.get('invoices')?.weight, 0, 'a tripped route stays at 0 across a restart')
  t.match(reg.status()[0].climb, { stopped: 'rolled_back' })
  t.match(reg.promote('invoices', {}), { ok: false, status: 409, error: /not ready: 0\/10 samples/ })
  t.match(reg.promote('invoices', { force: true }), { ok: true, from: 0, to: 0.01, forced: true }, 'back to the first rung')
  writeFileSync(file, JSON.stringify({ route: 'invoices', weight: 1.7, stopped: false }))
  t.equal(start().get('invoices')?.weight, 0.01, 'an unusable state file: the file weight')
  writeFileSync(file, JSON.stringify({ route: 'invoices', weight: 0.5, stopped: false }))
  t.equal(start().get('invoices')?.weight, 0.5)
  writeFileSync(file, '{not json')
  t.equal(start().get('invoices')?.weight, 0.01)
  t.equal(lines.filter((l) => l.obj.event === 'shadowfig.split.state_write_failed').length, 0)
})

t.test('state.dir: each climb without its own stateFile keeps ROUTE.climb.json there', async (t) => {
  const dir = t.testdir({})
  const clock = { t: 1_000_000 }
  const routes = [
    ...climbRoutes({}),
    routeSchema.parse({ name: 'own', match: { pathPrefix: '/own' }, primary: 'monolith', split: { to: 'b', ...CLIMB, stateFile: 'own.json' } }),
    routeSchema.parse({ name: 'plain', match: { pathPrefix: '/plain' }, primary: 'monolith', split: { to: 'b', weight: '5%' } }),
  ]
  const opts = { metrics: new Metrics({ defaultMetrics: false }), log: collector().log, now: () => clock.t, baseDir: dir }
  const start = (stateDir?: string): SplitRegistry => {
    const reg = new SplitRegistry(opts)
    reg.rebuild(routes, stateDir)
    return reg
  }
  const reg = start('state')
  clock.t += 60_000
  for (const name of ['invoices', 'own']) feed(reg.get(name) as SplitController, 10)
  t.same([reg.get('invoices')?.weight, reg.get('own')?.weight], [0.05, 0.05])
  t.match(JSON.parse(readFileSync(join(dir, 'state', 'invoices.climb.json'), 'utf8')), { route: 'invoices', weight: 0.05 }, 'the directory is created')
  t.match(JSON.parse(readFileSync(join(dir, 'own.json'), 'utf8')), { route: 'own', weight: 0.05 }, "a route's own stateFile wins")
  t.same(readdirSync(join(dir, 'state')), ['invoices.climb.json'], 'nothing for the others')
  const again = start('state')
  t.same([again.get('invoices')?.weight, again.get('own')?.weight], [0.05, 0.05], 'a restart resumes both')
  t.equal(start().get('invoices')?.weight, 0.01, 'without state.dir: the file weight')
})

t.test('a state file that cannot be written is logged and traffic goes on', async (t) => {
  const dir = t.testdir({ 'a-file': 'not a directory' })
  const { log, lines } = collector()
  const clock = { t: 1_000_000 }
  const reg = new SplitRegistry({ metrics: new Metrics({ defaultMetrics: false }), log, now: () => clock.t, baseDir: dir }, climbRoutes({ stateFile: 'a-file/x.json' }))
  clock.t += 60_000
  feed(reg.get('invoices') as SplitController, 10)
  t.equal(reg.get('invoices')?.weight, 0.05)
  t.match(events(lines, 'shadowfig.split.state_write_failed'), [{ route: 'invoices', file: join(dir, 'a-file/x.json') }])
})

t.test('adopt follows a step decided by another worker, unless stopped or already past it', async (t) => {
  const steps: Array<[string, number]> = []
  const clock = { t: 1_000_000 }
  const reg = new SplitRegistry({ metrics: new Metrics({ defaultMetrics: false }), log: collector().log, now: () => clock.t, onStep: (r, to) => steps.push([r, to]) }, climbRoutes({}))
  const c = reg.get('invoices') as SplitController
  clock.t += 60_000
  feed(c, 10)
  t.same(steps, [['invoices', 0.05]], 'the climb reports its own step')
  c.climb?.adopt(0.2)
  t.equal(c.weight, 0.2)
  c.climb?.adopt(0.05)
  t.equal(c.weight, 0.2, 'a stale relay never lowers the weight')
  t.same(steps, [['invoices', 0.05]], 'an adopted step is not relayed again')
  c.setWeight(0, 'admin')
  c.climb?.adopt(0.5)
  t.equal(c.weight, 0, 'a stopped climb does not follow')
})
