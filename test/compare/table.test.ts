/**
 * The rule table: (primary, candidate, route rules) → expected verdict and field list. One row
 * per normalization rule, decoder and built-in comparator; each row also has a twin that must
 * differ where the rule does not apply, so no rule can pass by ignoring everything.
 */
import t from 'tap'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import type { CapturedResponse } from '../../src/http/captured.js'
import type { HeaderMap } from '../../src/http/headers.js'
import { compareDirect, exchange, resp, type CompareInput } from './helpers.js'

interface Row {
  name: string
  p: CapturedResponse
  c: CapturedResponse
  rules?: CompareInput
  verdict: string
  /** Expected `kind path` (grouping) entries, in order; omitted means none. */
  fields?: string[]
  reason?: string
}

const json = (v: unknown, h: HeaderMap = {}): CapturedResponse => resp(v, h)
const enc = (v: unknown, encoding: string, f: (b: Buffer) => Buffer): CapturedResponse =>
  resp(f(Buffer.from(JSON.stringify(v))), { 'content-type': 'application/json', 'content-encoding': encoding })
const uuid1 = '0b6f2c7e-1d2a-4c59-9a3e-6b1f0c2d3e4f'
const uuid2 = 'F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6'

const rows: Row[] = [
  { name: 'identical json', p: json({ a: 1, b: [1, 2] }), c: json({ a: 1, b: [1, 2] }), verdict: 'match' },
  { name: 'key order is irrelevant', p: resp('{"a":1,"b":2}', { 'content-type': 'application/json' }), c: resp('{"b":2,"a":1}', { 'content-type': 'application/json' }), verdict: 'match' },
  { name: 'changed number', p: json({ a: 1 }), c: json({ a: 2 }), verdict: 'mismatch', fields: ['changed $.a'] },
  { name: 'type change', p: json({ a: 1 }), c: json({ a: '1' }), verdict: 'mismatch', fields: ['type $.a'] },
  { name: 'null vs object is a type change', p: json({ a: null }), c: json({ a: { b: 1 } }), verdict: 'mismatch', fields: ['type $.a'] },
  { name: 'added and removed keys', p: json({ a: 1, gone: true }), c: json({ a: 1, extra: 2 }), verdict: 'mismatch', fields: ['removed $.gone', 'added $.extra'] },
  { name: 'a key named __proto__ is data, and its difference is not lost', p: resp('{"__proto__":{"a":1},"b":1}', { 'content-type': 'application/json' }), c: resp('{"__proto__":{"a":2},"b":1}', { 'content-type': 'application/json' }), verdict: 'mismatch', fields: ['changed $'] },
  { name: 'odd key formatting', p: json({ 'odd key': 1, "it's": 1 }), c: json({ 'odd key': 2, "it's": 2 }), verdict: 'mismatch', fields: ["changed $['odd key']", "changed $['it\\'s']"] },
  // decoding
  { name: 'gzip vs identity, equal', p: enc({ a: 1 }, 'gzip', gzipSync), c: json({ a: 1 }), verdict: 'match' },
  { name: 'br with a difference', p: enc({ a: 1 }, 'br', brotliCompressSync), c: enc({ a: 2 }, 'br', brotliCompressSync), verdict: 'mismatch', fields: ['changed $.a'] },
  { name: 'deflate zlib vs raw deflate', p: enc({ a: 1 }, 'deflate', deflateSync), c: enc({ a: 1 }, 'deflate', deflateRawSync), verdict: 'match' },
  { name: 'stacked codings are undone in reverse', p: enc({ a: 1 }, 'gzip, br', (b) => brotliCompressSync(gzipSync(b))), c: json({ a: 1 }), verdict: 'match' },
  { name: 'corrupt gzip', p: resp(Buffer.from('not gzip'), { 'content-encoding': 'gzip' }), c: json({ a: 1 }), verdict: 'skipped', reason: 'decode_error' },
  { name: 'corrupt candidate encoding is a candidate error', p: json({ a: 1 }), c: resp(Buffer.from('not br'), { 'content-encoding': 'br' }), verdict: 'candidate_error', reason: 'decode_error' },
  { name: 'unknown coding', p: resp(Buffer.from('x'), { 'content-encoding': 'zz' }), c: json({ a: 1 }), verdict: 'skipped', reason: 'decode_error' },
  { name: 'charset latin1 vs utf-8', p: resp(Buffer.from('caf\xe9', 'latin1'), { 'content-type': 'text/plain; charset=ISO-8859-1' }), c: resp('café', { 'content-type': 'text/plain; charset="utf-8"' }), rules: { headers: { exclude: ['content-type'] } }, verdict: 'match' },
  { name: 'latin1 bytes read as utf-8 differ', p: resp(Buffer.from('caf\xe9', 'latin1'), { 'content-type': 'text/plain' }), c: resp('café', { 'content-type': 'text/plain' }), verdict: 'mismatch', fields: ['changed body'] },
  { name: 'unknown charset falls back to utf-8', p: resp('abc', { 'content-type': 'text/plain; charset=nope' }), c: resp('abc', { 'content-type': 'text/plain' }), rules: { headers: { exclude: ['content-type'] } }, verdict: 'match' },
  { name: 'sniffed json without content type', p: resp('{"a":1,"b":2}'), c: resp(' {"b":2,"a":1}'), verdict: 'match' },
  { name: 'sniffed json difference', p: resp('[1,2]'), c: resp('[1,3]'), verdict: 'mismatch', fields: ['changed $[*]'] },
  { name: 'json vs html', p: json({ a: 1 }), c: resp('<html></html>', { 'content-type': 'text/html' }), rules: { comparators: ['json'] }, verdict: 'mismatch', fields: ['type body'] },
  { name: 'json content type but invalid body', p: json({ a: 1 }), c: resp('{"a":', { 'content-type': 'application/json' }), verdict: 'mismatch', fields: ['type body'] },
  { name: 'problem+json is json', p: resp('{"a":1}', { 'content-type': 'application/problem+json' }), c: resp('{ "a" : 1 }', { 'content-type': 'application/problem+json' }), verdict: 'match' },
  // ignore paths
  { name: 'ignore $.a.b', p: json({ a: { b: 1, c: 1 } }), c: json({ a: { b: 2, c: 1 } }), rules: { ignore: ['$.a.b'] }, verdict: 'match' },
  { name: 'ignore $.a.b leaves $.a.c', p: json({ a: { b: 1, c: 1 } }), c: json({ a: { b: 2, c: 2 } }), rules: { ignore: ['$.a.b'] }, verdict: 'mismatch', fields: ['changed $.a.c'] },
  { name: 'ignore $..updated_at at any depth', p: json({ updated_at: 1, x: [{ updated_at: 1 }, { y: { updated_at: 1 } }] }), c: json({ updated_at: 2, x: [{ updated_at: 2 }, { y: { updated_at: 3 } }] }), rules: { ignore: ['$..updated_at'] }, verdict: 'match' },
  { name: 'ignore $.items[*].etag', p: json({ items: [{ etag: 'a', n: 1 }, { etag: 'b', n: 2 }] }), c: json({ items: [{ etag: 'x', n: 1 }, { etag: 'y', n: 3 }] }), rules: { ignore: ['$.items[*].etag'] }, verdict: 'mismatch', fields: ['changed $.items[*].n'] },
  { name: "ignore $['odd key']", p: json({ 'odd key': 1 }), c: json({ 'odd key': 2 }), rules: { ignore: ["$['odd key']"] }, verdict: 'match' },
  { name: 'ignore a wildcard and an index', p: json({ m: { a: 1, b: 2 }, l: [1, 2] }), c: json({ m: { a: 3, b: 4 }, l: [9, 2] }), rules: { ignore: ['$.m.*', '$.l[0]'] }, verdict: 'match' },
  // numbers and masks
  { name: 'precision 2 rounds', p: json({ a: 1.234, b: -0.001 }), c: json({ a: 1.2349, b: 0 }), rules: { numbers: { precision: 2 } }, verdict: 'match' },
  { name: 'precision 2 keeps cents', p: json({ a: 1.23 }), c: json({ a: 1.24 }), rules: { numbers: { precision: 2 } }, verdict: 'mismatch', fields: ['changed $.a'] },
  { name: 'uuid mask', p: json({ id: uuid1, s: `order ${uuid1}` }), c: json({ id: uuid2, s: `order ${uuid2}` }), rules: { masks: ['uuid'] }, verdict: 'match' },
  { name: 'uuid mask does not hide a missing id', p: json({ id: uuid1 }), c: json({ id: 'none' }), rules: { masks: ['uuid'] }, verdict: 'mismatch', fields: ['changed $.id'] },
  { name: 'iso8601 mask', p: json({ t: '2024-05-01T10:00:00.123Z', d: '2024-05-01' }), c: json({ t: '2025-01-02T03:04:05+02:00', d: '2023-12-31' }), rules: { masks: ['iso8601'] }, verdict: 'match' },
  { name: 'epoch mask, numbers and strings', p: json({ s: 1700000000, ms: 1700000000000, str: '1700000000' }), c: json({ s: 1700000500, ms: 1700000000999, str: '1800000000' }), rules: { masks: ['epoch'] }, verdict: 'match' },
  { name: 'epoch mask leaves other numbers', p: json({ n: 12345 }), c: json({ n: 12346 }), rules: { masks: ['epoch'] }, verdict: 'mismatch', fields: ['changed $.n'] },
  { name: 'custom mask', p: json({ ref: 'ORD-123 paid' }), c: json({ ref: 'ORD-987 paid' }), rules: { masks: [{ name: 'order', pattern: 'ORD-\\d+' }] }, verdict: 'match' },
  { name: 'masks apply to header values', p: json({}, { location: `/o/${uuid1}` }), c: json({}, { location: `/o/${uuid2}` }), rules: { masks: ['uuid'] }, verdict: 'match' },
  // arrays
  { name: 'keyed array reordered', p: json({ items: [{ id: 1, v: 'a' }, { id: 2, v: 'b' }] }), c: json({ items: [{ id: 2, v: 'b' }, { id: 1, v: 'a' }] }), rules: { arrays: { '$.items': { key: 'id' } } }, verdict: 'match' },
  { name: 'keyed array: inserted item and a change', p: json({ items: [{ id: 1, v: 'a' }, { id: 3, v: 'c' }] }), c: json({ items: [{ id: 3, v: 'C' }, { id: 2, v: 'b' }, { id: 1, v: 'a' }] }), rules: { arrays: { '$.items': { key: 'id' } } }, verdict: 'mismatch', fields: ['added $.items[*]', 'changed $.items[*].v'] },
  { name: 'null, object and duplicate keys fall back to content', p: json({ items: [{ id: null, v: 1 }, { id: { x: 1 } }, { id: 'a', n: 2 }, { id: 'a', n: 1 }] }), c: json({ items: [{ id: 'a', n: 1 }, { id: { x: 1 } }, { id: 'a', n: 2 }, { id: null, v: 1 }] }), rules: { arrays: { '$.items': { key: 'id' } } }, verdict: 'match' },
  { name: 'string keys and keyless items sort too', p: json({ items: [{ id: 'b' }, { x: 1 }, { id: 'a' }] }), c: json({ items: [{ x: 1 }, { id: 'a' }, { id: 'b' }] }), rules: { arrays: { '$.items': { key: 'id' } } }, verdict: 'match' },
  { name: 'ordered array reordered without a rule', p: json({ items: [{ id: 1 }, { id: 2 }] }), c: json({ items: [{ id: 2 }, { id: 1 }] }), verdict: 'mismatch', fields: ['changed $.items[*].id', 'changed $.items[*].id'] },
  { name: 'positional array: extra and missing items', p: json({ l: [1, 2, 3], m: [1] }), c: json({ l: [1, 2], m: [1, 2] }), verdict: 'mismatch', fields: ['removed $.l[*]', 'added $.m[*]'] },
  { name: 'unordered set', p: json({ tags: ['a', 'b', { k: 1 }] }), c: json({ tags: [{ k: 1 }, 'b', 'a'] }), rules: { arrays: { '$.tags': { unordered: true } } }, verdict: 'match' },
  { name: 'unordered set with a different member', p: json({ tags: ['a', 'b'] }), c: json({ tags: ['b', 'c'] }), rules: { arrays: { '$.tags': { unordered: true } } }, verdict: 'mismatch', fields: ['added $.tags[*]', 'removed $.tags[*]'] },
  // status and headers
  { name: 'status differs', p: json({ a: 1 }), c: resp({ a: 1 }, {}, 404), verdict: 'mismatch', fields: ['changed status'] },
  { name: 'both 5xx are compared', p: resp({ e: 1 }, {}, 500), c: resp({ e: 1 }, {}, 502), verdict: 'mismatch', fields: ['changed status'] },
  { name: 'default ignored headers', p: json({}, { date: 'x', server: 'a', etag: '1', 'x-request-id': '1', 'x-shadowfig-role': 'p', age: '1' }), c: json({}, { date: 'y', server: 'b', etag: '2', 'x-request-id': '2', 'x-shadowfig-role': 'c', via: '1.1 z' }), verdict: 'match' },
  { name: 'header changed, added, removed', p: json({}, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }), c: json({}, { 'content-type': 'application/problem+json', 'x-new': '1' }), verdict: 'mismatch', fields: ['removed header:cache-control', 'changed header:content-type', 'added header:x-new'] },
  { name: 'include list, case-insensitive', p: json({}, { 'X-A': '1', 'x-b': '1' }), c: json({}, { 'x-a': '2', 'x-b': '2' }), rules: { headers: { include: ['X-A'] } }, verdict: 'mismatch', fields: ['changed header:x-a'] },
  { name: 'exclude list', p: json({}, { 'x-a': '1', 'x-b': '1' }), c: json({}, { 'x-a': '1', 'x-b': '2' }), rules: { headers: { exclude: ['X-B'] } }, verdict: 'match' },
  { name: 'repeated headers join', p: json({}, { vary2: ['a', 'b'] }), c: json({}, { vary2: 'a, b' }), verdict: 'match' },
  // text and bytes
  { name: 'text: whitespace is normalized', p: resp('<p>hello\n   world</p>', { 'content-type': 'text/html' }), c: resp('<p>hello world</p>\n', { 'content-type': 'text/html' }), rules: { comparators: ['status', 'text'] }, verdict: 'match' },
  { name: 'text: a word differs', p: resp('hello world', { 'content-type': 'text/plain' }), c: resp('hello there', { 'content-type': 'text/plain' }), rules: { comparators: ['text'] }, verdict: 'mismatch', fields: ['changed body'] },
  { name: 'bytes: equal binary', p: resp(Buffer.from([0, 1, 2]), { 'content-type': 'image/png' }), c: resp(Buffer.from([0, 1, 2]), { 'content-type': 'image/png' }), rules: { comparators: ['bytes'] }, verdict: 'match' },
  { name: 'bytes: binary differs', p: resp(Buffer.from([0, 1, 2]), { 'content-type': 'image/png' }), c: resp(Buffer.from([0, 1, 3]), { 'content-type': 'image/png' }), verdict: 'mismatch', fields: ['changed body'] },
  { name: 'bytes on text bodies', p: resp('a  b', { 'content-type': 'text/plain' }), c: resp('a b', { 'content-type': 'text/plain' }), rules: { comparators: ['bytes'] }, verdict: 'mismatch', fields: ['changed body'] },
  { name: 'text falls back to bytes for binary', p: resp(Buffer.from([0, 9])), c: resp(Buffer.from([0, 8])), rules: { comparators: ['text'] }, verdict: 'mismatch', fields: ['changed body'] },
  { name: 'json falls back to text', p: resp('a  b', { 'content-type': 'text/plain' }), c: resp('a b', { 'content-type': 'text/plain' }), verdict: 'match' },
  // prechecks
  { name: 'truncated body', p: { ...json({ a: 1 }), truncated: true }, c: json({ a: 1 }), verdict: 'skipped', reason: 'body_too_large' },
  { name: 'body over the route cap', p: json({ a: 'x'.repeat(100) }), c: json({ a: 1 }), rules: { maxBodySize: 50 }, verdict: 'skipped', reason: 'body_too_large' },
  { name: 'decompression bomb', p: enc({ a: 'x'.repeat(100_000) }, 'gzip', gzipSync), c: json({ a: 1 }), rules: { maxBodySize: 1000 }, verdict: 'skipped', reason: 'body_too_large' },
  { name: 'candidate decompression bomb', p: json({ a: 1 }), c: enc({ a: 'x'.repeat(100_000) }, 'gzip', gzipSync), rules: { maxBodySize: 1000 }, verdict: 'skipped', reason: 'body_too_large' },
  { name: 'candidate connect failure', p: json({ a: 1 }), c: { ...resp(''), status: 0, failure: 'connect' }, verdict: 'candidate_error', reason: 'connect' },
  { name: 'candidate 5xx where primary is fine', p: json({ a: 1 }), c: resp('oops', {}, 503), verdict: 'candidate_error', reason: '5xx' },
  { name: 'primary failed', p: { ...resp(''), status: 0, failure: 'timeout' }, c: json({ a: 1 }), verdict: 'skipped', reason: 'primary_error' },
]

for (const row of rows) {
  t.test(row.name, async (t) => {
    const r = await compareDirect(exchange(row.p, row.c), row.rules)
    t.equal(r.verdict, row.verdict, 'verdict')
    t.same(r.fields.map((f) => `${f.kind} ${f.path}`), row.fields ?? [], 'fields')
    t.equal(r.reason, row.reason, 'reason')
    t.equal(r.signature === '', r.fields.length === 0, 'a signature exactly when fields differ')
  })
}
