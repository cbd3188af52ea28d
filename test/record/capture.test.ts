import t, { type Test } from 'tap'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { CaptureWriter } from '../../src/record/capture.js'
import { parseCaptureLine } from '../../src/record/format.js'
import { recordSchema } from '../../src/config/schema.js'
import type { ComparisonResult, Verdict } from '../../src/compare/types.js'
import type { Exchange } from '../../src/shadow/exchange.js'
import { send } from '../../src/replay/send.js'
import { startServer, tempDir } from './helpers.js'

const SECRETS = ['Bearer sk-live-123', 'session=abcdef', 'sid=zzz-secret', '4111111111111111', 'tok-987', 'hunter2', 'qs-token-555', 'qs-tenant-666']

async function backends (t: Test): Promise<{ primary: string, candidate: string }> {
  const body = (price: number): string => JSON.stringify({ id: 42, price, card: { number: '4111111111111111' }, auth: { token: 'tok-987' } })
  const primary = await startServer(t, (_req, res) => {
    res.setHeader('set-cookie', 'sid=zzz-secret; HttpOnly')
    res.setHeader('content-type', 'application/json')
    res.end(body(10))
  })
  const candidate = await startServer(t, (_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.setHeader('x-internal-key', 'hunter2')
    res.end(body(11))
  })
  return { primary, candidate }
}

async function exchange (urls: { primary: string, candidate: string }, id: string): Promise<Exchange> {
  const headers = { authorization: 'Bearer sk-live-123', cookie: 'session=abcdef', accept: 'application/json' }
  const req = { method: 'GET', path: `/orders/42?i=${id}&access_token=qs-token-555&tenant=qs-tenant-666`, headers }
  const opts = { timeout: 2000, maxBodySize: 1 << 20 }
  const [primary, candidate] = await Promise.all([send(urls.primary, req, opts), send(urls.candidate, req, opts)])
  return { id, route: 'orders', startedAt: 1_763_700_000_000, request: req, primary, candidate }
}

function result (id: string, verdict: Verdict): ComparisonResult {
  return {
    id,
    route: 'orders',
    verdict,
    fields: verdict === 'match'
      ? []
      : [
          { path: '$.price', concretePath: '$.price', kind: 'changed', primary: 10, candidate: 11 },
          { path: '$.card.number', concretePath: '$.card.number', kind: 'changed', primary: '4111111111111111', candidate: '4111111111111111' },
          { path: 'header:x-internal-key', concretePath: 'header:x-internal-key', kind: 'added', candidate: 'hunter2' },
        ],
    noise: [],
    signature: verdict === 'match' ? '' : 'sig',
    status: { primary: 200, candidate: 200 },
    durationMs: { primary: 1, candidate: 1 },
  }
}

t.test('records non-matches with secrets redacted everywhere in the file', async (t) => {
  const urls = await backends(t)
  const file = join(await tempDir(t), 'capture.ndjson')
  const w = new CaptureWriter({
    route: 'orders',
    record: recordSchema.parse({ file, mismatches: true }),
    redact: ['$.card.number', '$..token', 'x-internal-key', 'query:tenant'],
  })
  t.equal(w.consider(await exchange(urls, 'a'), result('a', 'mismatch')), true)
  t.equal(w.consider(await exchange(urls, 'b'), result('b', 'match')), false, 'matches are not recorded without sampling')
  t.equal(w.consider(await exchange(urls, 'c'), result('c', 'candidate_error')), true)
  await w.close()
  const text = await readFile(file, 'utf8')
  for (const s of SECRETS) t.notOk(text.includes(s), `capture never contains ${s}`)
  const lines = text.trim().split('\n')
  t.equal(lines.length, 2)
  const parsed = parseCaptureLine(lines[0])
  if (!parsed.ok) throw new Error(parsed.message)
  const rec = parsed.record
  t.equal(rec.id, 'a')
  t.equal(rec.request.headers.authorization, '[redacted]')
  t.equal(rec.request.headers.accept, 'application/json')
  t.equal(rec.request.path, '/orders/42?i=a&access_token=[redacted]&tenant=[redacted]', 'secret query parameters redacted, the rest kept')
  t.equal(rec.primary.headers['set-cookie'], '[redacted]')
  t.equal(rec.candidate.headers['x-internal-key'], '[redacted]')
  const body = JSON.parse(Buffer.from(rec.candidate.bodyBase64 ?? '', 'base64').toString('utf8'))
  t.same(body, { id: 42, price: 11, card: { number: '[redacted]' }, auth: { token: '[redacted]' } })
  t.same(rec.fields[0], { path: '$.price', concretePath: '$.price', kind: 'changed', primary: 10, candidate: 11 })
  t.same(rec.fields[1], { path: '$.card.number', concretePath: '$.card.number', kind: 'changed', primary: '[redacted]', candidate: '[redacted]' }, 'values of redacted fields are replaced, as in diff events')
  t.same(rec.fields[2], { path: 'header:x-internal-key', concretePath: 'header:x-internal-key', kind: 'added', candidate: '[redacted]' })
  t.equal(w.stats.written, 2)
})

t.test('samples matches by the configured share', async (t) => {
  const urls = await backends(t)
  const file = join(await tempDir(t), 'sampled.ndjson')
  const draws = [0.005, 0.5, 0.009]
  const w = new CaptureWriter({
    route: 'orders',
    record: recordSchema.parse({ file, mismatches: false, sample: '1%' }),
    random: () => draws.shift() ?? 1,
  })
  const ex = await exchange(urls, 's')
  t.equal(w.consider(ex, result('s', 'match')), true)
  t.equal(w.consider(ex, result('s', 'mismatch')), false, 'mismatches: false leaves it to the draw')
  t.equal(w.consider(ex, result('s', 'match')), true)
  await w.flush()
  t.equal((await readFile(file, 'utf8')).trim().split('\n').length, 2)
  // Secret headers are redacted even with no redact list configured.
  t.notOk((await readFile(file, 'utf8')).includes('sk-live-123'))
  await w.close()
})

t.test('rotation keeps at most maxFiles captures', async (t) => {
  const urls = await backends(t)
  const dir = await tempDir(t)
  const file = join(dir, 'rot.ndjson')
  const w = new CaptureWriter({ route: 'orders', record: recordSchema.parse({ file, maxFileSize: '4KiB', maxFiles: 2 }) })
  const ex = await exchange(urls, 'r')
  for (let i = 0; i < 30; i++) w.consider(ex, result('r', 'mismatch'))
  await w.close()
  t.same((await readdir(dir)).sort(), ['rot.ndjson', 'rot.ndjson.1'])
  t.equal(w.stats.errors, 0)
})

t.test('a record that cannot be serialized is counted, not thrown', async (t) => {
  const w = new CaptureWriter({ route: 'orders', record: recordSchema.parse({ file: join(await tempDir(t), 'x.ndjson') }) })
  const bad = result('x', 'mismatch')
  bad.fields = [{ path: '$.n', concretePath: '$.n', kind: 'changed', primary: 1n }]
  const ex: Exchange = { id: 'x', route: 'orders', startedAt: 0, request: { method: 'GET', path: '/', headers: {} }, primary: { status: 0, headers: {}, body: new Uint8Array(0), truncated: true, durationMs: 1, failure: 'timeout' }, candidate: { status: 0, headers: {}, body: new Uint8Array(0), truncated: false, durationMs: 1 } }
  t.equal(w.consider(ex, bad), false)
  t.equal(w.stats.errors, 1)
  const rec = w.toRecord(ex, { ...result('x', 'skipped'), reason: 'saturated' })
  t.equal(rec.reason, 'saturated')
  t.equal(rec.primary.failure, 'timeout')
  t.equal(rec.primary.truncated, true)
  await w.close()
})

t.test('field values under, at or above a redact path are hidden in the record', async (t) => {
  const dir = await tempDir(t)
  const w = new CaptureWriter({ route: 'orders', record: recordSchema.parse({ file: join(dir, 'c.ndjson') }), redact: ['$.card.number', '$..token'] })
  const side = { status: 200, headers: {}, body: new Uint8Array(0), truncated: false, durationMs: 1 }
  const ex: Exchange = { id: 'f', route: 'orders', startedAt: 0, request: { method: 'GET', path: '/', headers: {} }, primary: side, candidate: side }
  const base = result('x', 'mismatch')
  const fields = [
    { path: '$.card.number.last4', concretePath: '$.card.number.last4', kind: 'changed' as const, primary: '4242', candidate: '4243' },
    { path: '$.card', concretePath: '$.card', kind: 'changed' as const, primary: { number: 'n1', brand: 'visa' }, candidate: { number: 'n2', brand: 'visa' } },
    { path: '$.a[*].token', concretePath: '$.a[3].token', kind: 'changed' as const, primary: 't1', candidate: 't2' },
    { path: '$.price', concretePath: '$.price', kind: 'changed' as const, primary: 1, candidate: 2 },
  ]
  const rec = w.toRecord(ex, { ...base, fields })
  t.same(rec.fields.map((f) => [f.primary, f.candidate]), [
    ['[redacted]', '[redacted]'],
    [{ number: '[redacted]', brand: 'visa' }, { number: '[redacted]', brand: 'visa' }],
    ['[redacted]', '[redacted]'],
    [1, 2],
  ])
  await w.close()
})

t.test('parseCaptureLine names what is wrong', async (t) => {
  t.same(parseCaptureLine('[]'), { ok: false, message: 'not a v1 capture record: Invalid input: expected object, received array' })
  t.match(parseCaptureLine('{"v":2}'), { ok: false, message: /^not a v1 capture record: v: / })
  t.match(parseCaptureLine('{'), { ok: false, message: /^not JSON: / })
})

t.test('a request body, when the proxy provides one, is kept with JSON paths redacted', async (t) => {
  const w = new CaptureWriter({ route: 'orders', record: recordSchema.parse({ file: join(await tempDir(t), 'b.ndjson') }), redact: ['$.card.number'] })
  const side = { status: 200, headers: {}, body: new Uint8Array(0), truncated: false, durationMs: 1 }
  const body = Buffer.from(JSON.stringify({ qty: 2, card: { number: '4111111111111111' } }))
  const ex = { id: 'p', route: 'orders', startedAt: 0, request: { method: 'POST', path: '/orders', headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, body }, primary: side, candidate: side }
  const rec = w.toRecord(ex, result('p', 'mismatch'))
  t.same(JSON.parse(Buffer.from(rec.request.bodyBase64 ?? '', 'base64').toString()), { qty: 2, card: { number: '[redacted]' } })
  t.same(rec.request.headers, { 'content-type': 'application/json' }, 'content-length no longer describes the stored body')
  await w.close()
})
