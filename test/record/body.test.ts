import t from 'tap'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { storeBody } from '../../src/record/body.js'

const secret = { user: 'ann', card: { number: '4111111111111111' } }
const json = Buffer.from(JSON.stringify(secret))
const decoded = (b64: string | undefined): unknown => JSON.parse(Buffer.from(b64 ?? '', 'base64').toString('utf8'))

t.test('keeps bytes as they are without redact paths, and for empty bodies', async (t) => {
  const r = storeBody({ 'content-type': 'application/json' }, json, false, [])
  t.equal(r.bodyBase64, json.toString('base64'))
  t.equal(storeBody({}, new Uint8Array(0), false, ['$.x']).bodyBase64, '')
})

t.test('redacts JSON bodies, plain or compressed, and drops entity headers that no longer fit', async (t) => {
  const cases: Array<[string, Buffer]> = [['identity', json], ['gzip', gzipSync(json)], ['deflate', deflateSync(json)], ['br', brotliCompressSync(json)]]
  for (const [enc, bytes] of cases) {
    const r = storeBody({ 'content-type': 'application/json; charset=utf-8', 'content-encoding': enc, 'content-length': String(bytes.length) }, bytes, false, ['$.card.number'])
    t.same(decoded(r.bodyBase64), { user: 'ann', card: { number: '[redacted]' } }, enc)
    t.notOk('content-encoding' in r.headers, `${enc}: content-encoding dropped`)
    t.notOk('content-length' in r.headers)
  }
  // No content-type, but the bytes start like JSON: still redacted.
  t.same(decoded(storeBody({}, Buffer.from('  [{"token":"abc"}]'), false, ['$..token']).bodyBase64), [{ token: '[redacted]' }])
})

t.test('redacts bodies with stacked codings and raw deflate, as the comparison decodes them', async (t) => {
  // The capture had its own decoder, which knew one coding at a time and only zlib deflate:
  // these bodies were left out as undecodable while the comparison read them.
  const cases: Array<[string, Buffer]> = [
    ['deflate', deflateRawSync(json)],
    ['gzip, br', brotliCompressSync(gzipSync(json))],
    ['deflate, gzip', gzipSync(deflateRawSync(json))],
  ]
  for (const [enc, bytes] of cases) {
    const r = storeBody({ 'content-type': 'application/json', 'content-encoding': enc }, bytes, false, ['$.card.number'])
    t.same(decoded(r.bodyBase64), { user: 'ann', card: { number: '[redacted]' } }, enc)
  }
})

t.test('leaves out JSON bodies it cannot redact whole', async (t) => {
  const paths = ['$.card.number']
  t.equal(storeBody({ 'content-type': 'application/json' }, json.subarray(0, 20), true, paths).bodyOmitted, 'truncated_json')
  t.equal(storeBody({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, Buffer.from('not gzip'), false, paths).bodyOmitted, 'undecodable')
  t.equal(storeBody({ 'content-type': 'application/json', 'content-encoding': 'zstd' }, json, false, paths).bodyOmitted, 'undecodable')
  t.equal(storeBody({ 'content-type': ['application/json'] }, Buffer.from('{"card": '), false, paths).bodyOmitted, 'unparsable_json')
})

t.test('keeps non-JSON bodies byte for byte even with redact paths', async (t) => {
  const html = Buffer.from('<p>hello</p>')
  t.equal(storeBody({ 'content-type': 'text/html' }, html, false, ['$.x']).bodyBase64, html.toString('base64'))
  const blank = Buffer.from(' \r\n\t')
  t.equal(storeBody({}, blank, false, ['$.x']).bodyBase64, blank.toString('base64'), 'whitespace only is not JSON')
  const gz = gzipSync(html)
  t.equal(storeBody({ 'content-type': 'text/html', 'content-encoding': 'gzip' }, gz, false, ['$.x']).bodyBase64, gz.toString('base64'))
})
