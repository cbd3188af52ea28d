/**
 * The small pieces on their own: the JSONPath subset (syntax, errors, formatting), redaction
 * of fields, samples and headers, fingerprints of text and binary bodies, decoding edge cases,
 * plugin answers with malformed fields, and the engine's worker URL.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runChain } from '../../src/compare/chain.js'
import { decodeBody } from '../../src/compare/decode.js'
import { headerValue } from '../../src/http/headers.js'
import { WORKER_URL } from '../../src/compare/engine.js'
import { FieldSet } from '../../src/compare/field-set.js'
import { changedPaths, fingerprint, fingerprintEntries, packFingerprint, type Fingerprint } from '../../src/compare/fingerprint.js'
import { compilePath, formatPath, parseLocation } from '../../src/compare/jsonpath.js'
import { NoiseModel } from '../../src/compare/noise.js'
import { DEFAULT_COMPARE_LIMITS, runComparison } from '../../src/compare/pipeline.js'
import { signatureOf } from '../../src/compare/result.js'
import { compareDirect, exchange, resp, route } from './helpers.js'

t.test('JSONPath subset', async (t) => {
  const yes: Array<[string, Array<string | number>]> = [
    ['$', []],
    ['$.a.b', ['a', 'b']],
    ['$..key', ['x', 3, 'key']],
    ['$..key', ['key']],
    ['$..*', ['anything', 1]],
    ["$..['odd key']", ['a', 'odd key']],
    ['$.items[*].x', ['items', 7, 'x']],
    ['$.items[2]', ['items', 2]],
    ["$.a['odd key']", ['a', 'odd key']],
    ['$.a["dq \\" key"]', ['a', 'dq " key']],
    ['$.m.*', ['m', 'z']],
    ['$.x-y', ['x-y']],
    ['$..a..b', ['a', 1, 'c', 'b']],
    ['$..[*]', ['a', 1]],
    ['$..[0].x', ['a', 0, 'x']],
  ]
  for (const [p, segs] of yes) t.ok(compilePath(p).matches(segs), `${p} matches ${JSON.stringify(segs)}`)
  const no: Array<[string, Array<string | number>]> = [
    ['$.a.b', ['a']],
    ['$.a.b', ['a', 'b', 'c']],
    ['$..key', ['keys']],
    ['$.items[2]', ['items', 3]],
    ['$.items[*].x', ['items', 'x']],
    ['$..a..b', ['b']],
  ]
  for (const [p, segs] of no) t.notOk(compilePath(p).matches(segs), `${p} does not match ${JSON.stringify(segs)}`)
  for (const bad of ['a.b', '$.', '$[?(@.a)]', '$.a b', '$[1:2]', '$..']) t.throws(() => compilePath(bad), { name: 'ExpressionError', code: 'SHADOWFIG_ERR_CONFIG' }, bad)
  // each refusal says where and what to write instead
  const why = (p: string): string => { try { compilePath(p); return 'ok' } catch (e) { return (e as Error).message.replace(/ \(supported: .*\)$/, '') } }
  t.same([
    'a.b', '$.', '$..', '$.items[?(@.x)]', '$..[generated_at', "$.a['b", '$[*', '$.a[0:2]', '$.a[1,2]', '$.a[name]', '$.2x', '$.a b',
  ].map(why), [
    'JSONPath "a.b" must start with $: write $.a.b',
    'JSONPath "$." ends at character 2 where a name, [index] or * must follow; remove the trailing "." or name a field',
    'JSONPath "$.." ends at character 2 where a name, [index] or * must follow; remove the trailing ".." or name a field',
    'JSONPath "$.items[?(@.x)]" has a filter at character 8: filters ([?(...)]) are not supported; name the field under every item instead, e.g. $.items[*].x (or match items by key with arrays: { $.items: { key: id } })',
    'JSONPath "$..[generated_at" has an unclosed [ at character 4; write $..generated_at or $..[\'generated_at\']',
    'JSONPath "$.a[\'b" has an unclosed [ at character 4; write $.a.b or $.a[\'b\']',
    'JSONPath "$[*" has an unclosed [ at character 2; write [\'name\'], [3] or [*]',
    'JSONPath "$.a[0:2]" has a slice at character 4: slices are not supported; use [*] for every item or [3] for one',
    'JSONPath "$.a[1,2]" has a union at character 4: unions are not supported; list each path as its own entry',
    'JSONPath "$.a[name]" has an unquoted key at character 4: quote it, [\'name\'], or write .name',
    'JSONPath "$.2x" has a key that is not a plain name at character 2: write it in brackets, e.g. [\'2x\']',
    'JSONPath "$.a b" has unsupported syntax at character 4 (" b")',
  ])
  t.equal(formatPath(['a', 3, 'odd key', "it's", 'x\\y'], false), "$.a[3]['odd key']['it\\'s']['x\\\\y']")
  t.equal(formatPath(['a', 3, 'b'], true), '$.a[*].b')
  t.same(parseLocation("$.a[2]['k']"), ['a', 2, 'k'])
  t.equal(parseLocation('$.a[*]'), undefined, 'a pattern is not a location')
  t.equal(parseLocation('header:x'), undefined)
})

t.test('redaction: field values, samples, request and response headers', async (t) => {
  const rules = { redact: ['$..ssn', '$.card', 'X-Api-Key'], headers: { include: ['authorization', 'x-api-key', 'set-cookie', 'x-plain'] } }
  const p = resp({ user: { ssn: '111', name: 'a' }, card: { n: '4111' }, list: [{ ssn: '1' }] }, { authorization: 'Bearer a', 'x-api-key': 'k1', 'set-cookie': ['sid=abc; Path=/', 'theme=dark'], 'x-plain': '1' })
  const c = resp({ user: { ssn: '222', name: 'b' }, card: { n: '5500' }, list: [{ ssn: '2' }, { ssn: '3', ok: 1 }] }, { authorization: 'Bearer b', 'x-api-key': 'k2', 'set-cookie': ['sid=zzz'], 'x-plain': '2' })
  const r = await compareDirect(exchange(p, c), rules)
  const text = JSON.stringify(r)
  for (const secret of ['111', '222', '4111', '5500', 'Bearer', 'k1', 'k2', 'abc', 'zzz', '"ssn":"3"']) t.notOk(text.includes(secret), `${secret} never appears`)
  const byPath = Object.fromEntries(r.fields.map((f) => [f.concretePath, f]))
  t.same(byPath['$.user.ssn'], { path: '$.user.ssn', concretePath: '$.user.ssn', kind: 'changed', primary: '[redacted]', candidate: '[redacted]' })
  t.same(byPath['$.list[1]'].candidate, { ssn: '[redacted]', ok: 1 }, 'redaction reaches inside added values')
  t.same(byPath['header:x-plain'], { path: 'header:x-plain', concretePath: 'header:x-plain', kind: 'changed', primary: '1', candidate: '2' })
  t.same(byPath['header:set-cookie'].primary, '[redacted]', 'set-cookie differs by cookie names, values never shown')
  t.ok(byPath['header:authorization'] && byPath['header:x-api-key'], 'secret headers are compared but not shown')
  const sample = r.normalized as { primary: { headers: Record<string, string>, body: { user: unknown } } }
  t.same(sample.primary.body.user, { ssn: '[redacted]', name: 'a' })
  t.equal(sample.primary.headers['x-api-key'], '[redacted]')
})

t.test('a credential in a URL-valued header: the field and the sample', async (t) => {
  // A signed download link in Location: the candidate signs with another key.
  const rules = { headers: { include: ['location'] } }
  const p = resp({ a: 1 }, { location: '/files/7?X-Amz-Signature=sig-primary&v=2' })
  const c = resp({ a: 2 }, { location: '/files/7?X-Amz-Signature=sig-candidate&v=2' })
  const r = await compareDirect(exchange(p, c), rules)
  const text = JSON.stringify(r)
  for (const secret of ['sig-primary', 'sig-candidate']) t.notOk(text.includes(secret), `${secret} never appears`)
  const field = r.fields.find((f) => f.path === 'header:location')
  t.same([field?.primary, field?.candidate], ['/files/7?X-Amz-Signature=[redacted]&v=2', '/files/7?X-Amz-Signature=[redacted]&v=2'], 'the field still says which header differs')
  const sample = r.normalized as { primary: { headers: Record<string, string> } }
  t.equal(sample.primary.headers.location, '/files/7?X-Amz-Signature=[redacted]&v=2')
})

t.test('a credential the service echoes into a JSON field or another header: scrubbed from fields and samples', async (t) => {
  // The request carries `authorization: Bearer secret-token-77`; the candidate echoes it back.
  const rules = { headers: { include: ['x-debug-auth'] } }
  const p = resp({ user: 'ann', debug: { auth: 'none' }, list: ['a'] }, { 'x-debug-auth': 'none' })
  const c = resp({ user: 'ann', debug: { auth: 'Bearer secret-token-77' }, list: ['a', 'token secret-token-77 seen'] }, { 'x-debug-auth': 'secret-token-77' })
  const request = { method: 'GET', path: '/x', headers: { authorization: 'Bearer secret-token-77' } }
  const r = await compareDirect(exchange(p, c, { request }), rules)
  t.equal(r.verdict, 'mismatch')
  t.notMatch(JSON.stringify(r), /secret-token-77/, 'nowhere in the result: fields, normalized sides, raw bodies')
  const byPath = Object.fromEntries(r.fields.map((f) => [f.concretePath, f]))
  t.same(byPath['$.debug.auth'].candidate, '[redacted]', 'the whole credential, scheme included')
  t.same(byPath['$.list[1]'].candidate, 'token [redacted] seen', 'inside a longer string')
  t.same(byPath['header:x-debug-auth'].candidate, '[redacted]')
  t.same(byPath['$.debug.auth'].primary, 'none', 'what is no credential stays')
  const sample = r.normalized as { candidate: { headers: Record<string, string>, body: { debug: { auth: string } } } }
  t.equal(sample.candidate.body.debug.auth, '[redacted]')
  t.equal(sample.candidate.headers['x-debug-auth'], '[redacted]')
})

t.test('x-api-key is secret without being configured: fields, samples, the view plugins get', async (t) => {
  // The comparison side used to know four secret headers and logging five; x-api-key leaked here.
  const p = resp({ a: 1 }, { 'x-api-key': 'k1' })
  const c = resp({ a: 2 }, { 'x-api-key': 'k2' })
  const r = await compareDirect(exchange(p, c), {})
  const field = r.fields.find((f) => f.path === 'header:x-api-key')
  t.same([field?.primary, field?.candidate], ['[redacted]', '[redacted]'])
  const sample = r.normalized as { primary: { headers: Record<string, string> }, candidate: { headers: Record<string, string> } }
  t.equal(sample.primary.headers['x-api-key'], '[redacted]')
  t.equal(sample.candidate.headers['x-api-key'], '[redacted]')
  const cwd = process.cwd()
  process.chdir(join(dirname(fileURLToPath(import.meta.url)), 'fixtures'))
  t.teardown(() => process.chdir(cwd))
  const seen = await compareDirect(exchange(p, p, { request: { method: 'GET', path: '/x', headers: { 'x-api-key': 'k0', accept: '*/*' } } }), { comparators: ['./request-headers.js'] })
  t.same(seen.fields[0].primary, { 'x-api-key': '[redacted]', accept: '*/*' })
})

t.test('fingerprints cover text, binary and wide JSON', async (t) => {
  const r = await route()
  const text = await runComparison(exchange(resp('hello', { 'content-type': 'text/plain' }), resp('hello', { 'content-type': 'text/plain' })), r)
  const text2 = await runComparison(exchange(resp('bye', { 'content-type': 'text/plain' }), resp('bye', { 'content-type': 'text/plain' })), r)
  t.same(changedPaths(text.fingerprint as Fingerprint, text2.fingerprint as Fingerprint), ['body'])
  const bin = await runComparison(exchange(resp(Buffer.from([0, 1])), resp(Buffer.from([0, 1]))), r)
  t.ok(fingerprintEntries(bin.fingerprint as Fingerprint).get('body'))
  const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]))
  const out = await runComparison(exchange(resp(wide), resp(wide)), r)
  t.equal(out.fingerprint, undefined, 'too many paths: no fingerprint rather than an unbounded one')
  const side = { status: 200, headers: {}, body: { kind: 'json' as const, text: '', value: null }, bytes: new Uint8Array(), json: { a: [], b: {} } }
  t.same([...fingerprintEntries(fingerprint(side) as Fingerprint).keys()], ['status', '$.a', '$.b'], 'empty containers are leaves')
  t.equal(fingerprint({ ...side, bytes: new Uint8Array(10) }, 256, 5), undefined, 'bodies over the byte cap get none')
  const fp = (json: unknown): Fingerprint => fingerprint({ ...side, json }) as Fingerprint
  const base = fp({ n: 1, items: [{ id: 1, p: 'a' }, { id: 2, p: 'b' }], e: {}, 'odd key': null })
  t.same([...fingerprintEntries(base).keys()], ['status', '$.n', '$.items[*].id', '$.items[*].p', '$.e', "$['odd key']"], 'grouping paths, in first-seen order')
  t.same(changedPaths(base, fp({ n: 1, items: [{ id: 1, p: 'a' }, { id: 2, p: 'c' }], e: {}, 'odd key': null })), ['$.items[*].p'], 'one item changed: only its path')
  t.same(changedPaths(base, fp({ n: '1', items: [{ id: 1, p: 'a' }, { id: 2, p: 'b' }], e: [], 'odd key': 'null' })), ['$.n', '$.e', "$['odd key']"], 'a number is not its string, {} is not [], null is not "null"')
  t.same(changedPaths(fp({ s: ['ab', 'c'] }), fp({ s: ['a', 'bc'] })), ['$.s[*]'], 'values are delimited, not run together')
  t.same(changedPaths(base, fp({ 'odd key': null, e: {}, items: [{ p: 'a', id: 1 }, { id: 2, p: 'b' }], n: 1 })), [], 'key order does not matter')
})

t.test('a skipped comparison carries no fingerprint (the noise model would not read it)', async (t) => {
  const r = await route({ arrays: { '$.l': { key: 'id' } } })
  const limits = { maxLcsCells: 50, maxFields: 100, comparatorTimeoutMs: 100, maxSampleBytes: 1024 }
  const l = (base: number): unknown => ({ l: Array.from({ length: 10 }, (_, i) => ({ id: base + i })) })
  const huge = await runComparison(exchange(resp(l(0)), resp(l(100))), r, limits)
  t.equal(huge.verdict, 'skipped')
  t.equal(huge.fingerprint, undefined)
  const small = await runComparison(exchange(resp(l(0)), resp(l(0))), r, limits)
  t.ok(small.fingerprint, 'a match carries one')
})

t.test('secondary sides that cannot be compared give no reference', async (t) => {
  const r = await route({ arrays: { '$.l': { key: 'id' } } }, true)
  const limits = { maxLcsCells: 50, maxFields: 100, comparatorTimeoutMs: 100, maxSampleBytes: 1024 }
  const broken = await runComparison(exchange(resp({ a: 1 }), resp({ a: 1 }), { secondary: resp(Buffer.from('x'), { 'content-encoding': 'gzip' }) }), r, limits)
  t.equal(broken.secondaryPaths, undefined, 'secondary does not decode')
  const l = (base: number): unknown => ({ l: Array.from({ length: 10 }, (_, i) => ({ id: base + i })) })
  const huge = await runComparison(exchange(resp(l(0)), resp(l(0)), { secondary: resp(l(100)) }), r, limits)
  t.equal(huge.secondaryPaths, undefined, 'secondary diff over the cap')
  const fine = await runComparison(exchange(resp(l(0)), resp(l(0)), { secondary: resp({ ...l(0) as object, x: 1 }) }), r, limits)
  t.same(fine.secondaryPaths, ['$.x'])
})

t.test('noise model corner cases', async (t) => {
  const m = new NoiseModel({ minSamples: 1 })
  t.notOk(m.isNoise('never-seen', '$.a'))
  m.observe('r', [], ['$.only-ref'])
  t.ok(m.isNoise('r', '$.only-ref'), 'a path only the reference changes is noise (the candidate has no rate to compare)')
  t.same(m.noisyPaths('never-seen'), [])
  m.repeatReference('gone', 'GET /', packFingerprint({ a: '1' }))
  m.retain(new Set())
  t.equal(m.repeatReference('gone', 'GET /', packFingerprint({ a: '2' })), undefined, 'request keys of removed routes are forgotten')
})

t.test('plugins get decoded bytes for binary bodies', async (t) => {
  const cwd = process.cwd()
  process.chdir(join(dirname(fileURLToPath(import.meta.url)), 'fixtures'))
  t.teardown(() => process.chdir(cwd))
  const r = await compareDirect(exchange(resp(Buffer.from([0, 1]), { 'content-type': 'image/png' }), resp(Buffer.from([0, 1]), { 'content-type': 'image/png' })), { comparators: ['./echo.js'] })
  t.same(r.fields[0].candidate, { route: 'r', before: 0, body: 'object' })
})

t.test('decoding details', async (t) => {
  t.equal(headerValue({ a: ['x', 'y'] }, 'a'), 'x, y')
  const nul = decodeBody({}, Buffer.from([65, 0, 66]), 100)
  t.equal(nul.ok && nul.body.kind, 'binary', 'a NUL byte means binary')
  const badUtf8 = decodeBody({}, Buffer.from([0xff, 0xfe, 0x41]), 100)
  t.equal(badUtf8.ok && badUtf8.body.kind, 'binary', 'invalid UTF-8 without a type is binary')
  const notJson = decodeBody({}, Buffer.from('{not json'), 100)
  t.equal(notJson.ok && notJson.body.kind, 'text')
  const xml = decodeBody({ 'content-type': 'application/soap+xml' }, Buffer.from('<a/>'), 100)
  t.equal(xml.ok && xml.body.kind, 'text')
  const octet = decodeBody({ 'content-type': 'application/octet-stream' }, Buffer.from('{"a":1}'), 100)
  t.equal(octet.ok && octet.body.kind, 'json', 'a generic type is sniffed')
})

t.test('decoders and parsed content types are reused without carrying state between bodies', async (t) => {
  const cut = decodeBody({}, Buffer.from([0x41, 0xe2, 0x82]), 100)
  t.equal(cut.ok && cut.body.kind, 'binary', 'a sequence cut short is not UTF-8')
  const rest = decodeBody({}, Buffer.from([0xac, 0x41]), 100)
  t.equal(rest.ok && rest.body.kind, 'binary', 'and does not complete the next body')
  const sjis = { 'content-type': 'text/plain; charset=shift_jis' }
  const a = decodeBody(sjis, Buffer.from([0x82, 0xa0]), 100)
  const b = decodeBody(sjis, Buffer.from([0x82, 0xa0]), 100)
  t.same([a.ok && a.body.kind === 'text' && a.body.text, b.ok && b.body.kind === 'text' && b.body.text], ['あ', 'あ'])
  for (let i = 0; i < 70; i++) {
    const d = decodeBody({ 'content-type': `text/plain; charset=x-unknown-${i}` }, Buffer.from('ok'), 100)
    if (!d.ok || d.body.kind !== 'text' || d.body.text !== 'ok') t.fail(`unknown charset ${i}`)
  }
  const again = decodeBody(sjis, Buffer.from([0x82, 0xa0]), 100)
  t.equal(again.ok && again.body.kind === 'text' && again.body.text, 'あ', 'after the caches were full')
})

t.test('long text differences are shown as excerpts around the first difference', async (t) => {
  const a = 'x'.repeat(200) + 'A' + 'y'.repeat(200)
  const b = 'x'.repeat(200) + 'B' + 'y'.repeat(200)
  const r = await compareDirect(exchange(resp(a, { 'content-type': 'text/plain' }), resp(b, { 'content-type': 'text/plain' })))
  t.equal(r.fields[0].primary, '…' + 'x'.repeat(60) + 'A' + 'y'.repeat(59) + '…')
})

t.test('plugin decisions with malformed fields are comparator errors', async (t) => {
  const r = await route()
  const ctx = { plan: r.plan, primary: {} as never, candidate: {} as never, fields: new FieldSet(), maxLcsCells: 1 }
  const counts = {}
  const step = (answer: unknown) => [{ kind: 'custom' as const, name: 'p', impl: { name: 'p', compare: () => answer as 'continue' } }]
  const view = () => ({ route: 'r', request: { method: 'GET', path: '/', headers: {} }, primary: {} as never, candidate: {} as never })
  t.equal((await runChain(step({ verdict: 'mismatch', fields: [{ kind: 'changed' }] }), ctx, { comparatorTimeoutMs: 100, view, counts })).reason, 'comparator_error')
  t.equal((await runChain(step({ verdict: 'mismatch', fields: 'x' }), ctx, { comparatorTimeoutMs: 100, view, counts })).reason, 'comparator_error')
  t.equal((await runChain(step({ verdict: 'maybe' }), ctx, { comparatorTimeoutMs: 100, view, counts })).reason, 'comparator_error')
  const ok = await runChain(step({ verdict: 'mismatch', fields: [{ path: 'x', kind: 'added', candidate: 1 }] }), ctx, { comparatorTimeoutMs: 100, view, counts })
  t.same([ok.verdict, ctx.fields.list], ['mismatch', [{ path: 'x', concretePath: 'x', kind: 'added', primary: undefined, candidate: 1 }]])
  t.same(counts, { p: { continue: 0, decided: 1, errors: 3 } })
})

t.test('signature and worker entry', async (t) => {
  t.equal(signatureOf([]), '')
  t.equal(signatureOf(['$.b', '$.a', '$.a']), signatureOf(['$.a', '$.b']), 'order and duplicates do not matter')
  t.not(signatureOf(['$.a']), signatureOf(['$.b']))
  t.ok(existsSync(fileURLToPath(WORKER_URL)), `worker entry exists: ${WORKER_URL.pathname}`)
})

t.test('a chain of status and headers reads no bodies, yet a mismatch still shows them', async (t) => {
  t.equal((await route()).readsBodies, true, 'the default chain compares JSON')
  t.equal((await route({ comparators: ['status', 'headers'] })).readsBodies, false)
  t.equal((await route({ comparators: ['status', 'bytes'] })).readsBodies, true)
  const r = await route({ comparators: ['status'], ignore: ['$.at'] })
  const gzipJunk = resp(Buffer.from('not gzip'), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
  const broken = await runComparison(exchange(resp({ a: 1 }), gzipJunk), r)
  t.equal(broken.verdict, 'match', 'the body is never decoded, so its broken encoding is not compared (only statuses are)')
  t.same([...fingerprintEntries(broken.fingerprint as Fingerprint).keys()], ['status', 'header:content-type'], 'the noise reference has no body paths: the chain compares none')
  const differ = await runComparison(exchange(resp({ a: 1, at: 5 }), resp({ a: 2 }, {}, 500)), r)
  t.equal(differ.verdict, 'mismatch')
  t.same(differ.normalized?.primary.body, { a: 1 }, 'the sample is decoded and normalized on demand')
  t.same(differ.normalized?.candidate.body, { a: 2 })
  const undecodable = await runComparison(exchange(resp({ a: 1 }), { ...gzipJunk, status: 502 }), r)
  t.same(undecodable.normalized?.candidate.body, { omitted: 'not decodable', length: 8 })
  const big = await runComparison(exchange(resp({ a: 1 }), resp({ pad: 'x'.repeat(100) }, {}, 500)), r, { ...DEFAULT_COMPARE_LIMITS, maxSampleBytes: 50 })
  t.same(big.normalized?.candidate.body, { omitted: 'larger than the sample cap', length: 110 })
})

t.test('a candidate that sent the primary\'s very bytes shares its decoded body, never with custom comparators', async (t) => {
  const r = await route()
  const same = { a: 1, items: [1, 2] }
  t.equal((await runComparison(exchange(resp(same), resp(same)), r)).verdict, 'match')
  const status = await runComparison(exchange(resp(same), resp(same, {}, 404)), r)
  t.same(status.fields.map((f) => f.path), ['status'], 'its own status is compared')
  const header = await runComparison(exchange(resp(same, { 'x-v': '1' }), resp(same, { 'x-v': '2' })), r)
  t.same(header.fields.map((f) => f.path), ['header:x-v'], 'its own headers are compared')
  const claimsGzip = await runComparison(exchange(resp(same), resp(same, { 'content-encoding': 'gzip' })), r)
  t.equal(claimsGzip.verdict, 'candidate_error', 'same bytes under another encoding are decoded on their own')
  const text = await runComparison(exchange(resp(same), resp(JSON.stringify(same), { 'content-type': 'text/plain' })), r)
  t.same(text.fields.map((f) => f.path), ['header:content-type', 'body'], 'or under another content type')
  const custom = await route({ comparators: ['json', join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'mutates.js')] })
  t.equal((await runComparison(exchange(resp(same), resp(same)), custom)).verdict, 'match', 'a custom comparator gets two separate bodies')
})
