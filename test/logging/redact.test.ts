import t from 'tap'
import { REDACTED, compileRedactPaths, redactFields, redactHeaders, redactionOf, redactJson, secretHeaderNames } from '../../src/logging/redact.js'

t.test('redactHeaders: default secrets, case-insensitive, extra names, copy', async (t) => {
  const input = {
    Authorization: 'Bearer abc',
    'proxy-authorization': 'Basic x',
    Cookie: 'sid=1',
    'set-cookie': ['a=1', 'b=2'],
    'X-Api-Key': 'k',
    'x-tenant-secret': 's',
    'content-type': 'application/json',
  }
  const out = redactHeaders(input, secretHeaderNames(['X-Tenant-Secret']))
  t.same(out, {
    Authorization: REDACTED,
    'proxy-authorization': REDACTED,
    Cookie: REDACTED,
    'set-cookie': REDACTED,
    'X-Api-Key': REDACTED,
    'x-tenant-secret': REDACTED,
    'content-type': 'application/json',
  })
  t.equal(input.Authorization, 'Bearer abc', 'input untouched')
  t.equal(redactHeaders(input)['x-tenant-secret'], 's', 'extra names only when configured')
})

t.test('redactJson: $.a.b, $..key, $.items[*].x, index, quoted key, wildcard', async (t) => {
  const doc = {
    user: { email: 'a@b.c', name: 'Ann', profile: { email: 'deep@b.c' } },
    items: [{ id: 1, card: '4111' }, { id: 2, card: '5500' }, 'scalar'],
    'odd key': { v: 1 },
    list: [10, 20, 30],
    token: 'top',
    nested: [{ token: 'in-array' }],
  }
  const out = redactJson(doc, ['$.user.email', '$..token', '$.items[*].card', "$['odd key'].v", '$.list[1]', '$.list[9]', '$.missing.x']) as typeof doc
  t.equal(out.user.email, REDACTED)
  t.equal(out.user.profile.email, 'deep@b.c', '$.user.email is not recursive')
  t.equal(out.token, REDACTED)
  t.equal(out.nested[0].token, REDACTED, '$.. reaches into arrays')
  t.same(out.items, [{ id: 1, card: REDACTED }, { id: 2, card: REDACTED }, 'scalar'])
  t.same(out['odd key'], { v: REDACTED })
  t.same(out.list, [10, REDACTED, 30])
  t.equal(doc.user.email, 'a@b.c', 'input untouched')
  t.equal(doc.token, 'top')

  t.same(redactJson({ a: { b: 1, c: 2 } }, ['$.a.*']), { a: { b: REDACTED, c: REDACTED } })
  t.same(redactJson({ a: [1, 2] }, ['$.a[*]']), { a: [REDACTED, REDACTED] })
  t.same(redactJson({ a: { b: 1 } }, ["$[\"a\"].b"]), { a: { b: REDACTED } })
  t.same(redactJson({ a: { a: { a: 1 } } }, ['$..a']), { a: REDACTED })
  t.same(redactJson({ "it's": 1, 'b\\"c': 2 }, ["$['it\\'s']", '$["b\\\\\\"c"]']), { "it's": REDACTED, 'b\\"c': REDACTED }, 'escaped quotes and backslashes')
  t.same(redactJson({ x: { k: { y: 1 } } }, ['$..k.y']), { x: { k: { y: REDACTED } } })
  t.same(redactJson([{ a: 1 }], ['$.a']), [{ a: 1 }], 'key step does not match arrays')
  t.same(redactJson({ a: 1 }, ['$[0]']), { a: 1 }, 'index step does not match objects')
  t.equal(redactJson('plain', ['$.a']), 'plain', 'scalars pass through')
  const same = { a: 1 }
  t.equal(redactJson(same, []), same, 'no paths: no copy')
})

t.test('compileRedactPaths rejects what the JSONPath subset does not support, with the config code', async (t) => {
  for (const bad of ['a.b', '$.', '$..', '$[x]', '$.a b', '$[?(@.a)]']) {
    t.throws(() => compileRedactPaths([bad]), { code: 'SHADOWFIG_ERR_CONFIG' }, bad)
  }
  t.equal(compileRedactPaths(['$.a.b'])[0], compileRedactPaths(['$.a.b'])[0], 'cached')
  for (let i = 0; i < 5000; i++) compileRedactPaths([`$.items[${i}].x`])
  t.ok(compileRedactPaths(['$.items[4999].x'])[0].matches(['items', 4999, 'x']), 'cache is bounded and still correct')
})

t.test('one grammar: a path valid in ignore: is valid in redact: (hyphenated and quoted keys)', async (t) => {
  t.same(redactJson({ 'x-key': 1, 'odd key': 2, keep: 3 }, ['$.x-key', "$['odd key']"]), { 'x-key': REDACTED, 'odd key': REDACTED, keep: 3 })
})

t.test('redactionOf separates JSONPaths from header names, secret headers always included', async (t) => {
  const red = redactionOf(['$.card', 'X-Secret', '$..ssn'])
  t.same(red.paths, ['$.card', '$..ssn'])
  t.same([...red.headers].sort(), ['authorization', 'cookie', 'proxy-authorization', 'set-cookie', 'x-api-key', 'x-secret'])
  t.same([...redactionOf([]).headers].sort(), ['authorization', 'cookie', 'proxy-authorization', 'set-cookie', 'x-api-key'])
})

t.test('redact: [$] hides the whole value, the root included (the comparison side always did)', async (t) => {
  t.equal(redactJson({ a: 1 }, ['$']), REDACTED)
  t.equal(redactJson('text', ['$']), REDACTED)
  const [f] = redactFields([{ path: '$.a', concretePath: '$.a', kind: 'changed', primary: 1, candidate: 2 }], redactionOf(['$']))
  t.equal(f.primary, REDACTED, 'a field under the root')
})

t.test('redactFields: by concrete path, inside values, headers; others untouched', async (t) => {
  const paths = ['$.items[*].card', '$..ssn', '$.user.email']
  const fields = redactFields([
    { path: '$.items[*].card', concretePath: '$.items[3].card', kind: 'changed', primary: '4111', candidate: '5500' },
    { path: '$.user', concretePath: '$.user', kind: 'added', candidate: { email: 'a@b.c', name: 'Ann' } },
    { path: '$.deep.ssn', concretePath: '$.deep.ssn', kind: 'removed', primary: '123-45' },
    { path: '$', concretePath: '$', kind: 'type', primary: { ssn: 'x' }, candidate: [] },
    { path: '$.items[*].card', concretePath: '$.items[*].card', kind: 'changed', primary: 1, candidate: 2 },
    { path: '$.weird', concretePath: '$.we ird', kind: 'changed', primary: 1, candidate: 2 },
    { path: '$.total', concretePath: '$.total', kind: 'changed', primary: 1, candidate: 2 },
    { path: 'status', concretePath: 'status', kind: 'changed', primary: 200, candidate: 500 },
    { path: 'header:Set-Cookie', concretePath: 'header:Set-Cookie', kind: 'changed', primary: 'a=1', candidate: 'a=2' },
    { path: 'header:x-tenant', concretePath: 'header:x-tenant', kind: 'changed', primary: 'a', candidate: 'b' },
    { path: 'header:etag', concretePath: 'header:etag', kind: 'changed', primary: 'a', candidate: 'b' },
  ], redactionOf([...paths, 'X-Tenant']))
  t.same(fields[0], { path: '$.items[*].card', concretePath: '$.items[3].card', kind: 'changed', primary: REDACTED, candidate: REDACTED })
  t.same(fields[1].candidate, { email: REDACTED, name: 'Ann' }, 'redacted inside an object value')
  t.notOk('primary' in fields[1], 'absent sides stay absent')
  t.equal(fields[2].primary, REDACTED, '$.. matches concrete paths')
  t.same(fields[3], { path: '$', concretePath: '$', kind: 'type', primary: { ssn: REDACTED }, candidate: [] })
  t.equal(fields[4].primary, REDACTED, '[*] in a concrete path is treated as an index')
  t.equal(fields[5].primary, REDACTED, 'a path we cannot place is redacted whole')
  t.same(fields[6], { path: '$.total', concretePath: '$.total', kind: 'changed', primary: 1, candidate: 2 })
  t.equal(fields[7].candidate, 500)
  t.equal(fields[8].primary, REDACTED, 'secret headers always')
  t.equal(fields[9].candidate, REDACTED, 'configured header names')
  t.equal(fields[10].candidate, 'b')
  t.same(redactFields([{ path: '$.a', concretePath: '$.a', kind: 'changed', primary: 1, candidate: 2 }], redactionOf([])), [{ path: '$.a', concretePath: '$.a', kind: 'changed', primary: 1, candidate: 2 }], 'no paths: untouched')
  t.equal(redactFields([{ path: '$..x', concretePath: '$..x', kind: 'changed', primary: 1 }], redactionOf(['$.y']))[0].primary, REDACTED, 'recursive concrete path: redacted whole')
})

t.test('redactTarget: well-known and configured query parameters, everything else kept', async (t) => {
  const { redactTarget, DEFAULT_REDACTED_QUERY } = await import('../../src/logging/redact.js')
  t.equal(redactTarget('/a/b'), '/a/b', 'no query')
  t.equal(redactTarget('/a?x=1&y=2'), '/a?x=1&y=2', 'nothing secret: the same string')
  t.equal(redactTarget('/a?x=1&token=abc&API_KEY=k&Access_Token=t&y'), `/a?x=1&token=${REDACTED}&API_KEY=${REDACTED}&Access_Token=${REDACTED}&y`)
  t.equal(redactTarget('/a?api%5Fkey=k&sig=s&key'), `/a?api%5Fkey=${REDACTED}&sig=${REDACTED}&key`, 'percent-encoded names match; a bare name has no value')
  t.equal(redactTarget('/a?code=x&code=y&%zz=1'), `/a?code=${REDACTED}&code=${REDACTED}&%zz=1`, 'repeated names, undecodable names kept')
  t.equal(redactTarget('/s3/obj?X-Amz-Signature=abc&X-Amz-Credential=AKIA/x&X-Amz-Expires=60'), `/s3/obj?X-Amz-Signature=${REDACTED}&X-Amz-Credential=${REDACTED}&X-Amz-Expires=60`)
  for (const name of DEFAULT_REDACTED_QUERY) t.equal(redactTarget(`/?${name}=v`), `/?${name}=${REDACTED}`, name)

  const red = redactionOf(['$.a', 'X-Tenant', 'query:Tenant_Secret', 'QUERY:otp'])
  t.same(red.paths, ['$.a'])
  t.ok(red.headers.has('x-tenant'))
  t.notOk(red.headers.has('query:tenant_secret'), 'query entries are not header names')
  t.equal(redactTarget('/a?tenant_secret=1&otp=2&token=3&page=4', red.query), `/a?tenant_secret=${REDACTED}&otp=${REDACTED}&token=${REDACTED}&page=4`)
  t.equal(redactionOf([]).query.has('token'), true, 'defaults without configuration')
})

t.test('URL-valued headers: secret query parameters of referer, location and content-location', async (t) => {
  const { redactUrl } = await import('../../src/logging/redact.js')
  const red = redactionOf(['query:tenant'])
  const out = redactHeaders({
    Referer: 'https://shop.example/cart?token=abc&page=2',
    location: '/download/1?X-Amz-Signature=s1&X-Amz-Credential=c#part-2',
    'Content-Location': ['/a?tenant=t1', '/b?q=1'],
    link: '</next?token=abc>; rel="next"',
    'x-note': 'see /x?token=abc',
  }, red.headers, red.query)
  t.same(out, {
    Referer: 'https://shop.example/cart?token=[redacted]&page=2',
    location: '/download/1?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]#part-2',
    'Content-Location': ['/a?tenant=[redacted]', '/b?q=1'],
    link: '</next?token=abc>; rel="next"',
    'x-note': 'see /x?token=abc',
  }, 'configured names too; the fragment kept; other headers are not read as URLs')
  t.equal(redactHeaders({ location: '/x?token=abc' }).location, '/x?token=[redacted]', 'the defaults without a route')
  t.equal(redactUrl('/x#a?token=abc'), '/x#a?token=abc', 'a ? after the # is the fragment\'s')
  const plain = '/x?page=2#top'
  t.equal(redactUrl(plain), plain, 'nothing secret: the same string')

  const [loc, ref, etag] = redactFields([
    { path: 'header:location', concretePath: 'header:location', kind: 'changed', primary: '/a?sig=1', candidate: '/a?sig=2&v=1' },
    { path: 'header:Referer', concretePath: 'header:Referer', kind: 'added', candidate: ['/r?code=9'] },
    { path: 'header:etag', concretePath: 'header:etag', kind: 'changed', primary: 'a?token=1', candidate: 'b' },
  ], red)
  t.same(loc, { path: 'header:location', concretePath: 'header:location', kind: 'changed', primary: '/a?sig=[redacted]', candidate: '/a?sig=[redacted]&v=1' })
  t.same(ref.candidate, ['/r?code=[redacted]'])
  t.equal(etag.primary, 'a?token=1', 'only URL-valued headers are read as URLs')
})

t.test('scrubValues: secret values inside any string of a value, copied only where found', async (t) => {
  const { scrubValues } = await import('../../src/logging/redact.js')
  const value = { a: 'Bearer s3cret-1', b: { c: ['x', 'has s3cret-1 inside'], d: 2 }, e: 'plain', f: null }
  const out = scrubValues(value, ['Bearer s3cret-1', 's3cret-1']) as typeof value
  t.same(out, { a: '[redacted]', b: { c: ['x', 'has [redacted] inside'], d: 2 }, e: 'plain', f: null })
  t.equal(value.a, 'Bearer s3cret-1', 'input untouched')
  const untouched = { e: 'plain', n: [1, { m: 'x' }] }
  t.equal(scrubValues(untouched, ['s3cret-1']), untouched, 'nothing found: the same object')
  t.equal(scrubValues(value, []), value, 'no secrets: not walked')
  t.equal(scrubValues(7, ['7777']), 7)

  const [f] = redactFields([{ path: '$.echo', concretePath: '$.echo', kind: 'changed', primary: 'none', candidate: 'Bearer s3cret-1' }], redactionOf([]), ['Bearer s3cret-1'])
  t.same([f.primary, f.candidate], ['none', '[redacted]'], 'redactFields scrubs what the rules left')
  const fields = [{ path: '$.x', concretePath: '$.x', kind: 'changed' as const, primary: 1, candidate: 2 }]
  t.equal(redactFields(fields, redactionOf([]), ['s3cret-1'])[0], fields[0], 'a field with nothing to scrub is not copied')
})
