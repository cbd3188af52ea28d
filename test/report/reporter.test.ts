import t, { type Test } from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createLoggers } from '../../src/logging/logger.js'
import { Metrics } from '../../src/metrics/registry.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { changed, exchange, result, route } from './fixtures.js'

async function setup (t: Test, opts: { maxEventFields?: number } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'sf-rep-'))
  const file = join(dir, 'diffs.ndjson')
  const loggers = createLoggers({ level: 'silent', diffsFile: file, logStream: new Writable({ write (_c, _e, cb) { cb() } }) })
  t.teardown(async () => { await loggers.close(); await rm(dir, { recursive: true, force: true }) })
  const metrics = new Metrics({ defaultMetrics: false })
  const samples = new SampleStore()
  const reporter = new Reporter({ metrics, diffs: loggers.diffs, samples, fieldLimit: 2, ...opts })
  const events = async () => {
    await loggers.close()
    return (await readFile(file, 'utf8')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
  }
  return { metrics, samples, reporter, events }
}

const seriesValue = (text: string, prefix: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(prefix))
  return line === undefined ? undefined : Number(line.slice(prefix.length).trim())
}

t.test('one verdict: counted once, one event of the documented shape, one redacted sample', async (t) => {
  const { metrics, samples, reporter, events } = await setup(t)
  reporter.setRoutes([route('order-by-id', ['$.customer.email', 'x-tenant'])])
  const ex = exchange('order-by-id', { request: { method: 'GET', path: '/api/v1/orders/42', headers: { authorization: 'Bearer top-secret', 'x-tenant': 'top-secret', accept: '*/*' } } })
  const res = result(ex, 'mismatch', [
    changed('$.total', 1234.56, 1234.5),
    changed('$.customer.email', 'top-secret@x.y', 'other-top-secret@x.y'),
    changed('$.items[*].price', 1, 2, '$.items[0].price'),
    changed('$.items[*].price', 3, 4, '$.items[1].price'),
  ], { noise: ['$.server_time'], normalized: { primary: { total: 1234.56, customer: { email: 'top-secret@x.y' } }, candidate: { total: 1234.5, customer: { email: 'other-top-secret@x.y' } } } })
  reporter.record(res, ex)
  reporter.record(result(exchange('order-by-id'), 'match'), exchange('order-by-id'))

  for (let i = 0; i < 2; i++) { // reading twice must not change counts
    const text = await metrics.registry.metrics()
    t.equal(seriesValue(text, 'shadowfig_comparisons_total{route="order-by-id",verdict="mismatch"}'), 1)
    t.equal(seriesValue(text, 'shadowfig_comparisons_total{route="order-by-id",verdict="match"}'), 1)
    t.equal(seriesValue(text, 'shadowfig_field_mismatches_total{route="order-by-id",field="$.total"}'), 1)
    t.equal(seriesValue(text, 'shadowfig_field_mismatches_total{route="order-by-id",field="$.customer.email"}'), 1)
    t.equal(seriesValue(text, 'shadowfig_field_mismatches_total{route="order-by-id",field="__other__"}'), 1, 'two array items count once, capped to __other__ (limit 2)')
  }

  const lines = await events()
  t.equal(lines.length, 1, 'no event for the match')
  const e = lines[0]
  t.match(e, {
    level: 40, msg: 'shadow mismatch', event: 'shadowfig.diff', id: ex.id, route: 'order-by-id',
    method: 'GET', path: '/api/v1/orders/42', verdict: 'mismatch',
    status: { primary: 200, candidate: 200 }, noise: ['$.server_time'], signature: res.signature,
    traceId: ex.traceId, durationMs: { primary: 12.1, candidate: 8.4 },
  })
  t.type(e.time, 'number')
  t.same(e.fields, [
    { path: '$.total', kind: 'changed', primary: 1234.56, candidate: 1234.5 },
    { path: '$.customer.email', kind: 'changed', primary: '[redacted]', candidate: '[redacted]' },
    { path: '$.items[*].price', concretePath: '$.items[0].price', kind: 'changed', primary: 1, candidate: 2 },
    { path: '$.items[*].price', concretePath: '$.items[1].price', kind: 'changed', primary: 3, candidate: 4 },
  ])
  t.notOk('reason' in e)

  const s = samples.get(ex.id)!
  t.ok(s, 'sample stored under the exchange id')
  t.notMatch(JSON.stringify(s), /top-secret/, 'sample carries no secret')
  t.notMatch(JSON.stringify(lines), /top-secret/, 'events carry no secret')
  t.same(s.request, { method: 'GET', path: '/api/v1/orders/42', headers: { authorization: '[redacted]', 'x-tenant': '[redacted]', accept: '*/*' } })
  t.same(s.bodies, { primary: { total: 1234.56, customer: { email: '[redacted]' } }, candidate: { total: 1234.5, customer: { email: '[redacted]' } } })
})

t.test('every non-match verdict gets its event; report aggregates per route', async (t) => {
  const { samples, reporter, events } = await setup(t, { maxEventFields: 1 })
  reporter.setRoutes([route('b'), route('a')])
  const feed = (r: string, verdict: Parameters<typeof result>[1], fields = [changed('$.x', 1, 2)], over = {}) => {
    const ex = exchange(r)
    reporter.record(result(ex, verdict, fields, over), ex)
    return ex
  }
  feed('a', 'match', [])
  feed('a', 'mismatch')
  const last = feed('a', 'mismatch', [changed('$.x', 1, 2), changed('$.y', 1, 2)])
  feed('a', 'noise', [changed('$.ts', 1, 2)])
  feed('a', 'candidate_error', [], { reason: 'timeout' })
  feed('a', 'skipped', [], { reason: 'not_json' })
  feed('b', 'match', [])
  feed('z-unconfigured', 'mismatch')

  const lines = await events()
  t.same(lines.map((l) => [l.verdict, l.level, l.msg]), [
    ['mismatch', 40, 'shadow mismatch'],
    ['mismatch', 40, 'shadow mismatch'],
    ['noise', 30, 'shadow noise'],
    ['candidate_error', 40, 'shadow candidate error'],
    ['skipped', 30, 'shadow comparison skipped'],
    ['mismatch', 40, 'shadow mismatch'],
  ])
  t.equal(lines[1].fieldsOmitted, 1, 'events are capped in fields')
  t.equal((lines[1].fields as unknown[]).length, 1)
  t.equal(lines[3].reason, 'timeout')
  t.equal(lines[3].signature, 'candidate_error:timeout', 'results without signature group by verdict and reason')

  const rep = reporter.report()
  t.type(rep.generatedAt, 'string')
  t.same(rep.routes.map((r) => r.route), ['b', 'a', 'z-unconfigured'], 'config order first, then others')
  const a = rep.routes[1]
  t.equal(a.total, 6)
  t.same(a.verdicts, { match: 1, mismatch: 2, noise: 1, candidate_error: 1, skipped: 1 })
  t.equal(a.mismatchRate, 2 / 6)
  t.equal(a.errorRate, 1 / 6)
  t.same(a.topFields, [{ field: '$.x', count: 2, rate: 2 / 6 }, { field: '$.y', count: 1, rate: 1 / 6 }], 'noise fields are not mismatches')
  const sigX = a.signatures.find((s) => s.fields.join() === '$.x,$.y')!
  t.same(sigX.sampleIds, [last.id])
  t.equal(sigX.count, 1)
  t.equal(a.signatures.length, 5)
  t.equal(rep.routes[0].total, 1)
  t.same(rep.routes[0].signatures, [])
  t.equal(samples.size, 6)
})

t.test('engine-style normalized summaries: paths apply to the body, headers redacted', async (t) => {
  const { samples, reporter, events } = await setup(t)
  reporter.setRoutes([route('order-by-id', ['$.customer.email', 'x-tenant'])])
  // The compare engine sends summaries { status, headers, body }: paths apply to the body.
  const ex2 = exchange('order-by-id')
  const summary = (email: string) => ({ status: 200, headers: { 'set-cookie': 'top-secret', 'x-tenant': 'top-secret', etag: 'e1' }, body: { customer: { email } } })
  reporter.record(result(ex2, 'mismatch', [changed('$.x', 1, 2)], { normalized: { primary: summary('top-secret@x'), candidate: summary('top-secret@y') } }), ex2)
  t.same(samples.get(ex2.id)!.bodies!.primary, { status: 200, headers: { 'set-cookie': '[redacted]', 'x-tenant': '[redacted]', etag: 'e1' }, body: { customer: { email: '[redacted]' } } })
  t.same(samples.get(ex2.id)!.bodies!.candidate, { status: 200, headers: { 'set-cookie': '[redacted]', 'x-tenant': '[redacted]', etag: 'e1' }, body: { customer: { email: '[redacted]' } } })
  t.equal((await events()).length, 1)
  reporter.record(result(ex2, 'mismatch', [changed('$.x', 1, 2)]), ex2)
  t.pass('recording after the loggers closed does not throw')
})

t.test('a route removed from the config gives back its field series', async (t) => {
  const { metrics, reporter } = await setup(t)
  reporter.setRoutes([route('old'), route('kept')])
  for (const r of ['old', 'kept']) {
    const ex = exchange(r)
    reporter.record(result(ex, 'mismatch', [changed('$.a', 1, 2), changed('$.b', 1, 2), changed('$.c', 1, 2)]), ex)
  }
  const fieldSeries = async (r: string) => (await metrics.registry.metrics()).split('\n').filter((l) => l.startsWith(`shadowfig_field_mismatches_total{route="${r}"`)).length
  t.equal(await fieldSeries('old'), 3, 'two fields + __other__ (limit 2)')
  reporter.setRoutes([route('kept')])
  t.equal(await fieldSeries('old'), 0)
  t.equal(await fieldSeries('kept'), 3)
  const ex = exchange('old')
  reporter.record(result(ex, 'mismatch', [changed('$.z', 1, 2)]), ex)
  t.equal(await fieldSeries('old'), 1, 'a route coming back starts with fresh label slots')
  t.match(await metrics.registry.metrics(), /shadowfig_field_mismatches_total\{route="old",field="\$\.z"\} 1/)
})

t.test('the same paths as noise and as mismatch are two report groups, each with its own verdict', async (t) => {
  const { Reporter } = await import('../../src/report/reporter.js')
  const { SampleStore } = await import('../../src/report/samples.js')
  const { Metrics } = await import('../../src/metrics/registry.js')
  const { default: pino } = await import('pino')
  const samples = new SampleStore()
  const r = new Reporter({ metrics: new Metrics({ defaultMetrics: false }), diffs: pino({ level: 'silent' }), samples })
  const side = { status: 200, headers: {}, body: new Uint8Array(0), truncated: false, durationMs: 1 }
  const ex = (id: string) => ({ id, route: 'u', startedAt: 1, request: { method: 'GET', path: '/', headers: {} }, primary: side, candidate: side })
  const res = (id: string, verdict: 'noise' | 'mismatch') => ({
    id, route: 'u', verdict, signature: 'abc', noise: verdict === 'noise' ? ['$.request_id'] : [],
    fields: [{ path: '$.request_id', concretePath: '$.request_id', kind: 'changed' as const, primary: 1, candidate: 2 }],
    status: { primary: 200, candidate: 200 }, durationMs: { primary: 1, candidate: 1 },
  })
  r.record(res('1', 'mismatch'), ex('1'))
  r.record(res('2', 'noise'), ex('2'))
  r.record(res('3', 'noise'), ex('3'))
  const sigs = r.report().routes[0].signatures.map((s) => [s.verdict, s.count]).sort()
  t.same(sigs, [['mismatch', 1], ['noise', 2]])
  t.equal(samples.get('2')?.signature, 'noise:abc')
})

t.test('an undecided verdict is counted nowhere until its final verdict arrives; then once', async (t) => {
  const { metrics, samples, reporter, events } = await setup(t)
  reporter.setRoutes([route('user-by-id', [])])
  const ex = exchange('user-by-id')
  reporter.record(result(ex, 'undecided', [changed('$.request_id', 'a', 'b')]), ex)
  let text = await metrics.registry.metrics()
  t.notMatch(text, /shadowfig_comparisons_total\{route="user-by-id"/, 'no verdict counted yet')
  t.notMatch(text, /shadowfig_field_mismatches_total\{route="user-by-id"/)
  t.match(reporter.report().routes[0], { route: 'user-by-id', total: 0, undecided: 1, mismatchRate: 0 }, 'shown as undecided, in no rate')
  t.equal(samples.groupsOf().length, 0, 'no sample while undecided')
  reporter.record({ ...result(ex, 'noise', [changed('$.request_id', 'a', 'b')]), revised: true }, ex)
  text = await metrics.registry.metrics()
  t.equal(seriesValue(text, 'shadowfig_comparisons_total{route="user-by-id",verdict="noise"}'), 1, 'counted when final')
  t.notMatch(text, /verdict="mismatch"/, 'never as a mismatch')
  t.match(reporter.report().routes[0], { total: 1, undecided: 0, verdicts: { noise: 1, mismatch: 0 } })
  t.same((await events()).map((e) => e.verdict), ['noise'], 'one diff event, for the final verdict')
})

t.test('secret query parameters are redacted in diff events and samples', async (t) => {
  const { samples, reporter, events } = await setup(t)
  reporter.setRoutes([route('search', ['query:tenant'])])
  const ex = exchange('search', { request: { method: 'GET', path: '/search?q=shoes&token=top-secret&tenant=top-secret&api_key=top-secret', headers: { referer: 'https://shop.example/?tenant=top-secret&page=2' } } })
  reporter.record(result(ex, 'mismatch', [changed('$.total', 1, 2)]), ex)
  const unknownRoute = exchange('not-configured', { request: { method: 'GET', path: '/x?access_token=top-secret', headers: {} } })
  reporter.record(result(unknownRoute, 'candidate_error', [], { reason: '5xx' }), unknownRoute)
  const lines = await events()
  t.equal(lines[0].path, '/search?q=shoes&token=[redacted]&tenant=[redacted]&api_key=[redacted]')
  t.equal(lines[1].path, '/x?access_token=[redacted]', 'a route the reporter was not told about: the defaults')
  t.equal(samples.get(ex.id)?.request.path, '/search?q=shoes&token=[redacted]&tenant=[redacted]&api_key=[redacted]')
  t.equal(samples.get(ex.id)?.request.headers.referer, 'https://shop.example/?tenant=[redacted]&page=2', 'and in URL-valued headers')
  t.notMatch(JSON.stringify(lines), /top-secret/)
  t.notMatch(JSON.stringify(reporter.report()), /top-secret/, 'nor the report')
  t.notMatch(JSON.stringify([samples.get(ex.id), samples.get(unknownRoute.id)]), /top-secret/)
})

