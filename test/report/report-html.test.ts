import t from 'tap'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { Metrics } from '../../src/metrics/registry.js'
import { esc, renderReportPage } from '../../src/report/report-page.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
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

t.test('live route state is shown, escaped', async (t) => {
  const { reporter, samples } = setup()
  const html = renderReportPage({ ...reporter.report(), live: { invoices: { route: 'invoices', weight: 0.05, guard: { tripped: false }, note: '<b>x</b>' }, odd: 'plain' } }, samples)
  t.match(html, /<h2>Live<\/h2>/)
  t.match(html, /weight=<b>0\.05<\/b>/)
  t.match(html, /guard=<b>\{&quot;tripped&quot;:false\}<\/b>/)
  t.match(html, /note=<b>&lt;b&gt;x&lt;\/b&gt;<\/b>/)
  t.match(html, /<td>odd<\/td><td>plain<\/td>/)
  t.notMatch(renderReportPage({ ...reporter.report(), live: {} }, samples), /<h2>Live/)
})
