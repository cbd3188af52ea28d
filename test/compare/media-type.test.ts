/** content-type compared as a media type (RFC 9110 §8.3.1; charset on JSON ignored, RFC 8259). */
import t from 'tap'
import { canonicalMediaType, parseMediaType, sameMediaType } from '../../src/http/media-type.js'
import { compareDirect, exchange, resp } from './helpers.js'

t.test('parsing and the comparable form', async (t) => {
  t.same(parseMediaType(undefined), { essence: '', params: [] })
  t.same(parseMediaType('Text/HTML ; Charset="UTF-8"; q="a \\"b\\""'), { essence: 'text/html', params: [['charset', 'utf-8'], ['q', 'a "b"']] })
  t.equal(canonicalMediaType('multipart/form-data; boundary=X; Charset=UTF-8'), 'multipart/form-data; boundary=X; charset=utf-8')
  t.equal(canonicalMediaType('application/json; charset=latin1'), 'application/json')
  t.equal(canonicalMediaType('application/problem+json; charset=utf-8; profile=x'), 'application/problem+json; profile=x')
})

t.test('same and different media types', async (t) => {
  const same: Array<[string, string]> = [
    ['application/json', 'application/json; charset=utf-8'],
    ['application/json; charset=UTF-8', 'Application/JSON'],
    ['application/vnd.api+json', 'application/vnd.api+json;charset=utf-8'],
    ['text/html; charset=utf-8', 'text/html;charset="UTF-8"'],
    ['text/plain; a=1; b=2', 'text/plain; b=2; a=1'],
  ]
  const different: Array<[string, string]> = [
    ['application/json', 'text/json'],
    ['text/html', 'text/html; charset=utf-8'],
    ['text/html; charset=utf-8', 'text/html; charset=iso-8859-1'],
    ['multipart/mixed; boundary=a', 'multipart/mixed; boundary=b'],
    ['application/json; version=1', 'application/json; version=2'],
  ]
  for (const [a, b] of same) t.ok(sameMediaType(a, b) && sameMediaType(b, a), `${a} = ${b}`)
  for (const [a, b] of different) t.notOk(sameMediaType(a, b) || sameMediaType(b, a), `${a} ≠ ${b}`)
})

t.test('the default header rules: a charset on JSON is not a mismatch, a real difference is', async (t) => {
  const body = { a: 1 }
  const r = await compareDirect(exchange(resp(body, { 'content-type': 'application/json' }), resp(body, { 'content-type': 'application/json; charset=utf-8' })))
  t.equal(r.verdict, 'match')
  const d = await compareDirect(exchange(resp(body, { 'content-type': 'application/json' }), resp(body, { 'content-type': 'application/vnd.x+json' })))
  t.equal(d.verdict, 'mismatch')
  t.same(d.fields, [{ path: 'header:content-type', concretePath: 'header:content-type', kind: 'changed', primary: 'application/json', candidate: 'application/vnd.x+json' }])
})
