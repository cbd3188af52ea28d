import t from 'tap'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { Metrics } from '../../src/metrics/registry.js'
import { esc, renderReportPage } from '../../src/report/report-page.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { climbRow, spanText } from '../../src/report/report-sections.js'
import { harness } from '../split/fixtures.js'
import { changed, exchange, result, route } from './fixtures.js'

function setup () {
  const metrics = new Metrics({ defaultMetrics: false })
  const samples = new SampleStore({ maxSampleBytes: 4000 })
  const diffs = pino(new Writable({ write (_c, _e, cb) { cb() } }))
  const reporter = new Reporter({ metrics, diffs, samples })
  reporter.setRoutes([route('orders')])
  return { samples, reporter, page: () => renderReportPage(reporter.report(), samples) }
}

t.test('values from traffic render as text', async (t) => {
  const { reporter, page } = setup()
  const evil = '<script>alert(1)</script>'
  const ex = exchange('orders', { request: { method: 'GET', path: `/x?q=${evil}`, headers: {} } })
  reporter.record(result(ex, 'mismatch', [changed(`$['${evil}']`, evil, `"><img src=x onerror=alert(2)>`)], {
    reason: evil,
    normalized: { primary: { name: evil, same: 1 }, candidate: { name: 'ok', same: 1 } },
  }), ex)
  const html = page()
  t.notMatch(html, /<script>alert/)
  t.notMatch(html, /<img src=x/)
  t.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  t.match(html, /jsondiffpatch-modified/, 'body diff rendered by jsondiffpatch')
  t.match(html, /jsondiffpatch-unchanged/, 'unchanged values kept for context (hidden by CSS until toggled)')
  t.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
})

t.test('empty report, omitted/equal/absent bodies, evicted samples, long lists', async (t) => {
  const empty = setup()
  t.match(empty.page(), /No comparisons yet/)

  const { reporter, samples, page } = setup()
  const feed = (fields = [changed('$.a', 1, 2)], over = {}) => {
    const ex = exchange('orders')
    reporter.record(result(ex, 'mismatch', fields, over), ex)
    return ex
  }
  feed([changed('$.big', 1, 2)], { normalized: { primary: 'p'.repeat(5000), candidate: 'c' } })
  feed([changed('$.eq', 1, 2)], { normalized: { primary: { a: 1 }, candidate: { a: 1 } } })
  feed([changed('$.nobody', 1, 2)], { status: { primary: 200, candidate: 200, secondary: 201 } })
  const many = Array.from({ length: 60 }, (_, i) => changed(`$.f${i}`, i, i + 1))
  feed(many)
  for (let i = 0; i < 25; i++) feed([changed(`$.sig${i}`, 1, 2)])
  const gone = feed([changed('$.gone', 1, 2)])
  samples.clear()
  feed([changed('$.gone', 1, 2)]) // same signature, new sample after the clear
  samples.clear()
  const noDiffs = exchange('b')
  reporter.record(result(noDiffs, 'match'), noDiffs)
  const html = page()
  t.ok(gone)
  t.match(html, /No stored sample/)
  t.match(html, /more signatures in/)
  t.match(html, /No differing fields\./)
  t.match(html, /No non-match verdicts\./)

  const again = setup()
  const f = (fields: ReturnType<typeof changed>[], over = {}) => { const e = exchange('orders'); again.reporter.record(result(e, 'mismatch', fields, over), e) }
  f([changed('$.big', 1, 2)], { normalized: { primary: 'p'.repeat(5000), candidate: 'c' } })
  f([changed('$.eq', 1, 2)], { normalized: { primary: { a: 1 }, candidate: { a: 1 } } })
  f([changed('$.nobody', 1, 2)], { status: { primary: 200, candidate: 200, secondary: 201 } })
  f(many)
  f([{ path: '$.added', concretePath: '$.added', kind: 'added', candidate: 1 }])
  for (let i = 0; i < 1200; i++) { const e = exchange('orders'); again.reporter.record(result(e, 'match'), e) }
  const e = exchange('orders')
  again.reporter.record(result(e, 'candidate_error', [], { reason: 'timeout' }), e)
  const h2 = again.page()
  t.match(h2, /reason <code>timeout<\/code>/)
  t.match(h2, /<td class="val primary"><code>—<\/code>/, 'absent side shown as a dash')
  t.match(h2, /0\.08[0-9]%/, 'small rates keep three decimals')
  t.match(h2, /Bodies omitted/)
  t.match(h2, /Bodies are equal after normalization/)
  t.match(h2, /200 \/ 200 \/ 201/)
  t.match(h2, /10 more fields in the sample JSON/)
})

t.test('live split state is shown as columns, escaped', async (t) => {
  const { reporter, samples } = setup()
  const trip = { reason: 'error_rate', at: 0 }
  const html = renderReportPage({ ...reporter.report(), live: {
    invoices: { to: '<b>x</b>', weight: 0.05, fileWeight: 0.1, tripped: trip, state: 'ready', reasons: [] },
    bare: { weight: 0 },
    odd: 'plain',
    legacy: { tripped: true },
  } }, samples)
  t.match(html, /<h2>Live split<\/h2>/)
  t.match(html, /<td>invoices<\/td><td>&lt;b&gt;x&lt;\/b&gt;<\/td><td class="num">5%<\/td><td class="num">10%<\/td><td><span class="guard tripped">tripped \(error_rate, 1970-01-01T00:00:00\.000Z\)<\/span>/)
  t.match(html, /<span class="readiness-badge ready">ready<\/span>/)
  t.match(html, /<td>bare<\/td><td>—<\/td><td class="num">0%<\/td><td class="num">—<\/td><td><span class="guard ok">armed/)
  t.match(html, /<td>odd<\/td><td>—<\/td>/)
  t.match(html, /<td>legacy<\/td>.*<span class="guard tripped">tripped<\/span>/)
  t.notMatch(renderReportPage({ ...reporter.report(), live: {} }, samples), /<h2>Live/)
})

t.test('exchanges still undecided are said, apart from the counts', async (t) => {
  const { reporter, page } = setup()
  const ex = exchange('orders')
  reporter.record(result(ex, 'undecided', [changed('$.rid', 1, 2)]), ex)
  t.match(page(), /0 compared · 0(\.0+)?% mismatch · 1 undecided/)
  reporter.record({ ...result(ex, 'noise', [changed('$.rid', 1, 2)]), revised: true }, ex)
  t.notMatch(page(), /undecided/, 'gone once final')
})

t.test('a climbing route gets a climb row: ladder, step, time and samples at it, what the next step waits for', async (t) => {
  const { reporter, samples } = setup()
  const h = harness({ weight: '1%', steps: ['5%', '20%', '50%', '100%'], stepAfter: '1m', guard: { minSamples: 10 } })
  const feed = (n: number): void => { for (let i = 0; i < n; i++) { h.c.recordPrimary(10, 200); h.c.recordCandidate({ status: 200, durationMs: 10 }) } }
  h.clock.t += 60_000
  feed(10)
  h.clock.t += 200_000
  feed(4)
  const r = h.c.readiness()
  const html = renderReportPage({ ...reporter.report(), live: { invoices: { to: 'billing-svc', ...r, climb: h.c.climb?.status(r) } } }, samples)
  t.match(html, '<tr class="climb"><td colspan="10">climb 1% → <b>5%</b> → 20% → 50% → 100% · step 1 of 4 · 3 min 20 s at it · 4 samples at it · approval auto <span class="climb-state">next 20% waits for:</span><ul class="waiting"><li>samples: 4 of 10 at 5%</li></ul></td></tr>')
  t.notMatch(renderReportPage({ ...reporter.report(), live: { fixed: { weight: 0.1 } } }, samples), 'class="climb"', 'no climb, no row')
})

t.test('climb row states: awaiting approval, top, stopped, starting weight, off the ladder, due', async (t) => {
  const row = (climb: Record<string, unknown>, weight = 0.05): string => climbRow({ steps: [0.05, 1], ...climb }, 0.01, weight, 3)
  t.match(row({ step: 1, next: 1, awaitingApproval: true, waitingFor: ['approval: shadowfig promote invoices'] }),
    /· step 1 of 2 <span class="climb-state">awaiting approval for 100%<\/span><ul class="waiting"><li>approval: shadowfig promote invoices<\/li><\/ul>/)
  t.match(row({ step: 2, next: null, waitingFor: [] }, 1), /^<tr class="climb"><td colspan="3">climb 1% → 5% → <b>100%<\/b> · step 2 of 2 <span class="climb-state">at the top of its climb<\/span><\/td><\/tr>$/)
  t.match(row({ step: null, next: 0.01, stopped: 'tripped', waitingFor: ['an operator: <tripped>'] }, 0), /off the ladder \(weight set by an operator\) <span class="climb-state">stopped: guard tripped<\/span><ul class="waiting"><li>an operator: &lt;tripped&gt;<\/li>/)
  t.match(row({ step: null, next: 0.01, stopped: 'rolled_back' }, 0), /stopped: rolled back/)
  t.match(row({ step: 0, next: 0.05, waitingFor: [] }, 0.01), /climb <b>1%<\/b> → 5% → 100% · starting weight <span class="climb-state">next 5%: due on the next sample<\/span><\/td>/)
  t.equal(row({ steps: undefined }), '<tr class="climb"><td colspan="3">climb 1%</td></tr>', 'fields missing: only what is known')
  t.equal(climbRow('odd', 0.01, 0.01, 3), '')
  t.equal(climbRow({ steps: [0.5] }, undefined, 0.5, 1), '<tr class="climb"><td colspan="1">climb <b>50%</b></td></tr>', 'no file weight: the steps alone')
  t.same([45_000, 120_000, 200_000, 3_600_000, 7_500_000, -5].map(spanText), ['45 s', '2 min', '3 min 20 s', '1 h', '2 h 5 min', '0 s'])
})

t.test("a signature's sample link stays good while newer samples of it keep arriving", async (t) => {
  const { samples, reporter, page } = setup()
  const first = exchange('orders')
  reporter.record(result(first, 'mismatch', [changed('$.total', 1, 2)]), first)
  const linked = (): string[] => [...page().matchAll(/class="sample-(?:link|also)" href="\/report\/samples\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]))
  t.equal(linked()[0], first.id)
  for (let i = 0; i < 50; i++) {
    const ex = exchange('orders')
    reporter.record(result(ex, 'mismatch', [changed('$.total', 1, 2)]), ex)
  }
  const ids = linked()
  t.equal(ids[0], first.id, 'the sample shown is still the first seen…')
  t.ok(samples.get(first.id) !== undefined, '…and it is still stored')
  t.equal(ids.length, 5, 'the other stored samples are linked too (perGroup 5)')
  t.ok(ids.every((id) => samples.get(id) !== undefined), 'every linked sample opens')
})
