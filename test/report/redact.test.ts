import t from 'tap'
import { REDACTED, compileJsonPath, redactHeaders, redactJson, splitRedactList } from '../../src/report/redact.js'

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
  const out = redactHeaders(input, ['X-Tenant-Secret'])
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
  t.same(redactJson({ x: { k: { y: 1 } } }, ['$..k.y']), { x: { k: { y: REDACTED } } })
  t.same(redactJson([{ a: 1 }], ['$.a']), [{ a: 1 }], 'key step does not match arrays')
  t.same(redactJson({ a: 1 }, ['$[0]']), { a: 1 }, 'index step does not match objects')
  t.equal(redactJson('plain', ['$.a']), 'plain', 'scalars pass through')
  const same = { a: 1 }
  t.equal(redactJson(same, []), same, 'no paths: no copy')
})

t.test('compileJsonPath rejects what it does not support, with the config code', async (t) => {
  for (const bad of ['a.b', '$', '$..', '$..*', '$.', '$[x]', '$.a b', '$[?(@.a)]']) {
    t.throws(() => compileJsonPath(bad), { code: 'SHADOWFIG_ERR_CONFIG' }, bad)
  }
  t.equal(compileJsonPath('$.a.b'), compileJsonPath('$.a.b'), 'cached')
})

t.test('splitRedactList separates JSONPaths from header names', async (t) => {
  t.same(splitRedactList(['$.card', 'x-secret', '$..ssn']), { paths: ['$.card', '$..ssn'], headers: ['x-secret'] })
})
