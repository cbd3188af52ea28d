import t from 'tap'
import { gzipSync } from 'node:zlib'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { Metrics } from '../../src/metrics/registry.js'
import { RAW_BODY_CAP } from '../../src/compare/raw-body.js'
import { renderSamplePage } from '../../src/report/drilldown-page.js'
import { renderReportPage } from '../../src/report/report-page.js'
import { anchorId } from '../../src/report/report-sections.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { scrubText, secretHeaderValues } from '../../src/logging/redact.js'
import { compareDirect, exchange, resp } from '../compare/helpers.js'
import { route } from './fixtures.js'

const CREDENTIAL = 'tok-8d1e5a'
const request = { method: 'GET', path: '/api/orders/12345?x=1', headers: { authorization: `Bearer ${CREDENTIAL}`, accept: '*/*' } }

function setup (maxSampleBytes = 1024 * 1024) {
  const metrics = new Metrics({ defaultMetrics: false })
  const samples = new SampleStore({ maxSampleBytes, maxBytes: 64 * 1024 * 1024 })
  const reporter = new Reporter({ metrics, diffs: pino(new Writable({ write (_c, _e, cb) { cb() } })), samples })
  reporter.setRoutes([{ ...route('r', ['$.card']) }])
  return { samples, reporter }
}

t.test('a mismatch carries both raw bodies, decoded, redacted and capped; a match none', async (t) => {
  const { samples, reporter } = setup()
  const redact = { redact: ['$.card'] }
  // JSON: the route's path redacted in the parsed raw body, re-serialized pretty; gzip undone.
  const primary = resp(gzipSync(JSON.stringify({ total: 1, card: '4111-1111', echo: `Bearer ${CREDENTIAL}` })), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
  const candidate = resp({ total: 2, card: '4111-1111', note: CREDENTIAL })
  const ex = exchange(primary, candidate, { request })
  const r = await compareDirect(ex, redact)
  t.equal(r.verdict, 'mismatch')
  reporter.record(r, ex)
  const s = samples.get(ex.id)!
  t.ok(s.raw, 'the sample has raw bodies')
  const p = s.raw!.primary as { text: string, length: number }
  t.equal(p.text, JSON.stringify({ total: 1, card: '[redacted]', echo: '[redacted]' }, null, 2), 'decoded, redacted by path, echoed credential scrubbed, pretty')
  t.notOk('truncated' in p)
  t.notMatch(JSON.stringify(s.raw), /4111|tok-8d1e5a/, 'no secret anywhere in the raw bodies')
  t.equal(s.endpoint, 'GET /api/orders/:id', 'the endpoint is stored on the sample')

  // Text that echoes the request's credential keeps its text, never the credential; a long one is cut.
  const long = `${'x'.repeat(RAW_BODY_CAP)} token=${CREDENTIAL}`
  const ex2 = exchange(resp(`hello ${CREDENTIAL} é`, { 'content-type': 'text/plain' }), resp(long, { 'content-type': 'text/plain' }), { request })
  const r2 = await compareDirect(ex2, redact)
  t.same(r2.raw?.primary, { text: 'hello [redacted] é', length: Buffer.byteLength(`hello ${CREDENTIAL} é`) })
  const c2 = r2.raw?.candidate as { text: string, length: number, truncated?: true }
  t.equal(c2.truncated, true)
  t.equal(Buffer.byteLength(c2.text), RAW_BODY_CAP, 'capped at 64 KiB')
  t.equal(c2.length, Buffer.byteLength(long))

  // Binary and oversize bodies are described, not shown; a chain that read no bodies still gets them.
  const ex3 = exchange(resp(new Uint8Array([0, 1, 2]), { 'content-type': 'image/png' }), resp('y'.repeat(300), { 'content-type': 'text/plain' }, 404), { request })
  const r3 = await compareDirect(ex3, { comparators: ['status'] }, { maxSampleBytes: 200 })
  t.same(r3.raw, { primary: { omitted: 'binary', length: 3 }, candidate: { omitted: 'larger than the sample cap', length: 300 } })
  const ex4 = exchange(resp('a', { 'content-type': 'text/plain' }), resp('b', { 'content-type': 'text/plain', 'content-encoding': 'gzip' }, 404), { request })
  t.same((await compareDirect(ex4, { comparators: ['status'] })).raw?.candidate, { omitted: 'not decodable', length: 1 })

  const same = exchange(resp({ a: 1 }), resp({ a: 1 }), { request })
  const m = await compareDirect(same)
  t.equal(m.verdict, 'match')
  t.equal(m.raw, undefined, 'a match carries no raw body')
  reporter.record(m, same)
  t.equal(samples.get(same.id), undefined)
})

t.test('raw bodies count in the sample bytes and go with the bodies when a sample is too large', async (t) => {
  const ex = exchange(resp({ a: 1, pad: 'p'.repeat(3000) }), resp({ a: 2 }), { request })
  const r = await compareDirect(ex)
  const withRaw = setup()
  withRaw.reporter.record(r, ex)
  const without = setup()
  without.reporter.record({ ...r, raw: undefined }, ex)
  t.ok(withRaw.samples.bytes - without.samples.bytes >= 3000, 'the raw text is in the byte count')
  const small = setup(5000)
  small.reporter.record(r, ex)
  const s = small.samples.get(ex.id)!
  t.equal(s.raw, undefined)
  t.equal(s.bodiesOmitted, true)
  const html = renderSamplePage(s)
  t.match(html, /No raw body \(omitted for size\)/)
  t.match(html, /No normalized body \(omitted for size\)/)
})

t.test('the sample page shows raw and normalized per side and links to its endpoint and signature', async (t) => {
  const { samples, reporter } = setup()
  const ex = exchange(resp({ id: 1, name: '<b>x</b>' }), resp({ id: 2, name: '<b>x</b>' }), { request })
  reporter.record(await compareDirect(ex), ex)
  const s = samples.get(ex.id)!
  const html = renderSamplePage(s)
  t.match(html, /<details class="view normalized" open><summary>normalized<\/summary>/)
  t.match(html, /<details class="view raw"><summary>raw <small>as sent, decoded<\/small><\/summary>/)
  t.equal(html.match(/<details class="view raw">/g)?.length, 2, 'one raw view per side')
  t.match(html, /&quot;name&quot;: &quot;&lt;b&gt;x&lt;\/b&gt;&quot;/, 'raw text escaped')
  t.notMatch(html, /<b>x<\/b>/)
  const endpointHref = `/report#${anchorId('endpoint', 'r', 'GET /api/orders/:id')}`
  const sigHref = `/report#${anchorId('sig', 'r', s.signature)}`
  t.match(html, `<a class="endpoint-link" href="${endpointHref}"><code>GET /api/orders/:id</code></a>`)
  t.match(html, `<a class="sig-link" href="${sigHref}">`)

  // Both anchors exist on /report, once each.
  const report = renderReportPage(reporter.report(), samples)
  t.equal(report.split(`<tr id="${endpointHref.slice(8)}">`).length, 2, 'the endpoint row carries the anchor')
  t.equal(report.split(`<article class="signature" id="${sigHref.slice(8)}">`).length, 2, 'the signature block carries the anchor')

  const cut = renderSamplePage({ ...s, endpoint: undefined, raw: { primary: { text: 'abc', length: 70000, truncated: true }, candidate: { omitted: 'binary', length: 9 } } })
  t.match(cut, /Cut at 64 KiB of 70000 bytes/)
  t.match(cut, /No raw body: binary \(9 bytes\)/)
  t.notMatch(cut, /endpoint-link/)
  t.match(renderSamplePage({ ...s, raw: undefined, bodies: undefined }), /No raw body \(kept for mismatches only\)[\s\S]*No normalized body \(not JSON\)/)
})

t.test('anchor ids are plain and distinct', async (t) => {
  const a = anchorId('endpoint', 'r', 'GET /a.b')
  t.match(a, /^endpoint-[A-Za-z0-9._~!*'()-]+$/)
  t.not(a, anchorId('endpoint', 'r', 'GET /a%2Eb'))
})

t.test('secret header values are scrubbed from text', async (t) => {
  const values = secretHeaderValues([
    { authorization: 'Bearer abcd1234', cookie: 'sid=s3ss10n; theme=dark-mode', accept: 'text/html' },
    { 'set-cookie': ['id=zz99yy; Path=/; Max-Age=3600; HttpOnly'] },
  ])
  t.same(values.sort(), ['Bearer abcd1234', 'abcd1234', 'dark-mode', 'id=zz99yy; Path=/; Max-Age=3600; HttpOnly', 'zz99yy', 's3ss10n', 'sid=s3ss10n; theme=dark-mode'].sort())
  t.equal(scrubText('auth Bearer abcd1234, sid s3ss10n, Max-Age=3600 text/html', values), 'auth [redacted], sid [redacted], Max-Age=3600 text/html')
  t.same(secretHeaderValues([{ authorization: 'abc' }]), [], 'too short to look for')
})
