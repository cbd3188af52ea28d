import t from 'tap'
import { patternCovers, predicatesCover } from '../../src/routing/overlap.js'
import { parsePrefix, parseTemplate, type PathPattern } from '../../src/routing/path.js'

const tpl = (s: string): PathPattern => parseTemplate(s) as PathPattern
const pre = (s: string): PathPattern => parsePrefix(s) as PathPattern

t.test('path patterns', async (t) => {
  const cases: Array<[PathPattern, PathPattern, boolean, string?]> = [
    [pre('/'), tpl('/x/:id'), true, 'catch-all covers everything'],
    [pre('/'), pre('/'), true, 'a second catch-all'],
    [pre('/api'), tpl('/api/orders/:id'), true, 'prefix covers a template under it'],
    [pre('/api'), tpl('/apiary'), false, 'segment boundaries'],
    [pre('/api/v1'), tpl('/api/:v/x'), false, 'a param may be something else'],
    [pre('/api/v1'), tpl('/api'), false, 'shorter than the prefix'],
    [pre('/api'), pre('/api/v1'), true, 'longer prefix'],
    [pre('/s/x'), tpl('/s/*'), false, 'wildcard where the prefix needs a fixed segment'],
    [tpl('/u/:id'), tpl('/u/42'), true, 'param covers static'],
    [tpl('/u/:id'), tpl('/u/:other'), true, 'param covers param'],
    [tpl('/u/42'), tpl('/u/:id'), false, 'static does not cover param'],
    [tpl('/u/:id'), tpl('/u/'), false, 'param never matches an empty segment'],
    [tpl('/u/:id'), tpl('/u/:id/x'), false, 'lengths differ'],
    [tpl('/u/:id'), pre('/u'), false, 'a template never covers a prefix'],
    [tpl('/u/:id'), tpl('/u/*'), false, 'a template never covers a wildcard'],
    [tpl('/s/*'), pre('/s/x'), true, 'wildcard covers a deeper prefix'],
    [tpl('/s/*'), pre('/s'), false, 'but not /s itself'],
    [tpl('/*'), pre('/'), true, '/* covers every path'],
    [tpl('/s/*'), tpl('/s/a/b'), true],
    [tpl('/s/*'), tpl('/s/*'), true],
    [tpl('/s/*'), tpl('/s'), false],
    [tpl('/s/*'), tpl('/t/a'), false],
    [tpl('/:a/*'), tpl('/x/*'), true],
  ]
  for (const [a, b, want, why] of cases) t.equal(patternCovers(a, b), want, why ?? '')
})

t.test('predicates', async (t) => {
  t.ok(predicatesCover({}, { methods: ['GET'], host: 'a', headers: { x: '1' } }), 'none is broadest')
  t.notOk(predicatesCover({ methods: ['GET'] }, {}))
  t.ok(predicatesCover({ methods: ['GET', 'POST'] }, { methods: ['POST'] }))
  t.notOk(predicatesCover({ methods: ['GET'] }, { methods: ['GET', 'POST'] }))
  t.ok(predicatesCover({ headers: { 'X-A': '*' } }, { headers: { 'x-a': '1' } }))
  t.ok(predicatesCover({ headers: { 'x-a': '1' } }, { headers: { 'X-A': '1', 'x-b': '2' } }))
  t.notOk(predicatesCover({ headers: { 'x-a': '1' } }, { headers: { 'x-a': '*' } }), 'present is broader than a value')
  t.notOk(predicatesCover({ headers: { 'x-a': '1' } }, { headers: { 'x-a': '2' } }))
  t.notOk(predicatesCover({ headers: { 'x-a': '1' } }, {}))
  t.notOk(predicatesCover({ headers: { 'x-a': '1' } }, { headers: { 'x-b': '1' } }))
  t.ok(predicatesCover({ host: 'API.example.com' }, { host: 'api.example.com:443' }))
  t.notOk(predicatesCover({ host: 'a.example.com' }, {}))
  t.notOk(predicatesCover({ host: 'a.example.com' }, { host: 'b.example.com' }))
  t.ok(predicatesCover({ host: '*.example.com' }, { host: 'a.example.com' }))
  t.ok(predicatesCover({ host: '*.example.com' }, { host: '*.example.com' }))
  t.notOk(predicatesCover({ host: '*.example.com' }, { host: '*.a.example.com' }), 'conservative with two wildcards')
  t.notOk(predicatesCover({ host: '*.example.com' }, { host: 'example.com' }))
})
