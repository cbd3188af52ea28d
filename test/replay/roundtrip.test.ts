import t from 'tap'
import { readFile } from 'node:fs/promises'
import { runReplay } from '../../src/replay/runner.js'
import { fixture, recordTraffic } from './fixture.js'

const f = await fixture(t)
t.beforeEach(() => f.reset())

const TRAFFIC = ['1', '2', '3', '4', '5'].map((id) => ({ id: `req-${id}`, path: `/api/orders/${id}?v=1`, headers: { authorization: 'Bearer sk-live-123', 'x-user': 'u' + id } }))

t.test('replay reproduces the recorded verdicts on the same backends', async (t) => {
  f.bugs.totalFor = '3'
  f.bugs.errorFor = '5'
  const recorded = await recordTraffic(f, TRAFFIC)
  t.same([...recorded.values()], ['match', 'match', 'mismatch', 'match', 'candidate_error'], 'the recording run saw these verdicts')
  const text = await readFile(f.capture, 'utf8')
  t.notOk(text.includes('sk-live-123') || text.includes('4111111111111111'), 'capture is redacted')

  f.seen.length = 0
  const report = await runReplay({ config: f.config, files: [f.capture], comparer: f.engine, concurrency: 2 })
  const json = report.toJSON()
  t.equal(json.total, 5)
  t.same(json.routes.map((r) => [r.route, r.match, r.mismatch, r.candidate_error, r.changed]), [['order-by-id', 3, 1, 1, 0]], 'same verdicts as recorded, none changed')
  t.same(json.routes[0].topFields, [{ path: '$.total', count: 1 }])
  t.equal(json.unexplained, 2)
  t.same(json.failures.map((o) => [o.id, o.verdict]).sort(), [['req-3', 'mismatch'], ['req-5', 'candidate_error']])
  // What the candidate received: the route's rewrite and mirror headers, never the redacted credential.
  const mirrored = f.seen.find((s) => s.url === '/svc/orders/3?v=1')
  t.ok(mirrored, 'rewrite applied to the path (prefix kept, query kept)')
  t.equal(mirrored?.headers['x-env'], 'shadow')
  t.equal(mirrored?.headers['x-shadowfig-role'], 'candidate')
  t.equal(mirrored?.headers['x-shadowfig-request-id'], 'req-3')
  t.equal(mirrored?.headers['x-user'], 'u3')
  t.notOk('authorization' in (mirrored?.headers ?? {}), 'a redacted header is not replayed')
})

t.test('a fixed candidate turns recorded mismatches into matches; a seeded regression is caught', async (t) => {
  f.bugs.totalFor = '2'
  await recordTraffic(f, TRAFFIC)
  f.bugs.totalFor = undefined
  const fixed = (await runReplay({ config: f.config, files: [f.capture], comparer: f.engine })).toJSON()
  t.equal(fixed.unexplained, 0)
  t.equal(fixed.routes[0].changed, 1, 'the recorded mismatch is now a match')

  f.bugs.totalFor = '4'
  const seen: string[] = []
  const regressed = (await runReplay({ config: f.config, files: [f.capture], comparer: f.engine, rate: 1000, concurrency: 1, onOutcome: (o) => seen.push(o.id) })).toJSON()
  t.equal(regressed.unexplained, 1)
  t.same(regressed.failures.map((o) => [o.id, o.recorded, o.verdict, o.fields]), [['req-4', 'match', 'mismatch', ['$.total']]])
  t.same(seen, TRAFFIC.map((r) => r.id), 'concurrency 1 keeps capture order')
})
