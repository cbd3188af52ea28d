import t from 'tap'
import { routeSchema, type RouteConfig } from '../../src/config/schema.js'
import { compileRoutes, routePattern } from '../../src/routing/table.js'
import type { IncomingHttpHeaders } from 'node:http'

type Match = Record<string, unknown>
function routes (...matches: Match[]): RouteConfig[] {
  return matches.map((match, i) => routeSchema.parse({ name: `r${i}`, match, primary: 'p' }))
}
function winner (table: ReturnType<typeof compileRoutes>, path: string, opts: { method?: string, host?: string, headers?: IncomingHttpHeaders } = {}): number | undefined {
  return table.match(opts.method ?? 'GET', opts.host, path, opts.headers ?? {})?.index
}

t.test('templates, params and wildcards', async (t) => {
  const table = compileRoutes(routes(
    { path: '/orders/:id' },
    { path: '/orders/:id/items/:item' },
    { path: '/static/*' },
    { path: '/' },
    { path: '/orders/' },
  ))
  t.same(table.match('GET', undefined, '/orders/42?x=1', {}), { route: table.routes[0], index: 0, params: { id: '42' } })
  t.same(table.match('GET', undefined, '/orders/a%20b/items/7', {})?.params, { id: 'a b', item: '7' })
  t.same(table.match('GET', undefined, '/static/css/app.css', {})?.params, { '*': 'css/app.css' })
  t.same(table.match('GET', undefined, '/static/%E0%A4%A', {})?.params, { '*': '%E0%A4%A' }, 'undecodable kept raw')
  t.equal(winner(table, '/static/'), 2, 'wildcard matches an empty last segment')
  t.equal(winner(table, '/static'), undefined, 'wildcard needs a segment')
  t.equal(winner(table, '/'), 3)
  t.equal(winner(table, '/?q'), 3)
  t.equal(winner(table, ''), 3, 'empty target reads as /')
  t.equal(winner(table, '/orders/'), 4, 'param never matches an empty segment; trailing slash is significant')
  t.equal(winner(table, '/orders'), undefined)
  t.equal(winner(table, '/orders/42/items'), undefined)
  t.equal(winner(table, '/Orders/42'), undefined, 'paths are case-sensitive')
})

t.test('prefixes match on segment boundaries', async (t) => {
  const table = compileRoutes(routes({ pathPrefix: '/api/' }, { pathPrefix: '/' }))
  t.equal(winner(table, '/api'), 0)
  t.equal(winner(table, '/api/'), 0)
  t.equal(winner(table, '/api/v1/x#frag'), 0)
  t.equal(winner(table, '/apiary'), 1)
  t.equal(winner(table, '/anything/else'), 1)
  t.same(table.match('GET', undefined, '/api/x', {})?.params, {})
})

t.test('first match in file order across overlapping shapes', async (t) => {
  // prefix before a more specific template: the prefix wins although the template is "more specific"
  let table = compileRoutes(routes({ pathPrefix: '/api' }, { path: '/api/orders/:id' }))
  t.equal(winner(table, '/api/orders/1'), 0)
  table = compileRoutes(routes({ path: '/api/orders/:id' }, { pathPrefix: '/api' }))
  t.equal(winner(table, '/api/orders/1'), 0)
  t.equal(winner(table, '/api/orders/1/x'), 1)
  // param before static at the same depth
  table = compileRoutes(routes({ path: '/a/:x' }, { path: '/a/b' }))
  t.equal(winner(table, '/a/b'), 0)
  table = compileRoutes(routes({ path: '/a/b' }, { path: '/a/:x' }))
  t.equal(winner(table, '/a/b'), 0)
  t.equal(winner(table, '/a/c'), 1)
  // wildcard before a deeper static template
  table = compileRoutes(routes({ path: '/a/*' }, { path: '/a/b/c' }, { pathPrefix: '/a/b' }))
  t.equal(winner(table, '/a/b/c'), 0)
  // a deep static branch must not be pruned when the better candidate sits on the param branch
  table = compileRoutes(routes({ path: '/x/:p/z' }, { path: '/x/y/z' }))
  t.equal(winner(table, '/x/y/z'), 0)
  t.same(table.match('GET', undefined, '/x/y/z', {})?.params, { p: 'y' })
  // two templates identical in shape: the first one
  table = compileRoutes(routes({ path: '/u/:a' }, { path: '/u/:b' }))
  t.same(table.match('GET', undefined, '/u/1', {})?.params, { a: '1' })
})

t.test('predicates: methods, headers, host', async (t) => {
  const table = compileRoutes(routes(
    { path: '/o/:id', methods: ['GET'] },
    { path: '/o/:id', headers: { 'X-Canary': '1', 'x-tenant': '*' } },
    { path: '/o/:id', host: 'Api.Example.com' },
    { path: '/o/:id', host: '*.example.com', methods: ['POST', 'PUT'] },
    { pathPrefix: '/' },
  ))
  t.equal(winner(table, '/o/1'), 0)
  t.equal(winner(table, '/o/1', { method: 'HEAD' }), 4, 'HEAD is not GET')
  t.equal(winner(table, '/o/1', { method: 'POST', headers: { 'x-canary': '1', 'x-tenant': 'a' } }), 1)
  t.equal(winner(table, '/o/1', { method: 'POST', headers: { 'x-canary': ['0', '1'], 'x-tenant': '' } }), 1, 'any repeated value, "*" = present')
  t.equal(winner(table, '/o/1', { method: 'POST', headers: { 'x-canary': ['0'], 'x-tenant': 'a' } }), 4)
  t.equal(winner(table, '/o/1', { method: 'POST', headers: { 'x-canary': '1' } }), 4, 'missing header')
  t.equal(winner(table, '/o/1', { method: 'DELETE', host: 'API.example.com:8443' }), 2, 'host case-insensitive, port ignored')
  t.equal(winner(table, '/o/1', { method: 'DELETE', host: 'api.example.com.' }), 2, 'FQDN dot')
  t.equal(winner(table, '/o/1', { method: 'PUT', host: 'eu.example.com' }), 3)
  t.equal(winner(table, '/o/1', { method: 'PUT', host: 'example.com' }), 4, 'wildcard host excludes apex')
  t.equal(winner(table, '/o/1', { method: 'PUT' }), 4, 'no host header')
  t.equal(winner(table, '/o/1', { method: 'DELETE', host: '[::1]:80' }), 4)
})

t.test('host normalization of IPv6 literals', async (t) => {
  const table = compileRoutes(routes({ pathPrefix: '/', host: '[::1]' }))
  t.equal(winner(table, '/', { host: '[::1]:8080' }), 0)
  t.equal(winner(table, '/', { host: '[::1' }), undefined, 'unterminated literal does not crash')
})

t.test('no match returns undefined', async (t) => {
  const table = compileRoutes(routes({ path: '/only' }))
  t.equal(winner(table, '/only?a#b'), 0, 'query before fragment')
  t.equal(winner(table, '/only#a?b'), 0, 'fragment before query')
  t.equal(winner(table, '/other'), undefined)
  t.equal(winner(table, '/only/x'), undefined)
})

t.test('bad patterns are reported', async (t) => {
  t.match(routePattern({ path: '/a/*/b' }), /only allowed as the whole last segment/)
  t.match(routePattern({ path: '/a/x*' }), /must be a whole segment/)
  t.match(routePattern({ path: '/a/:1x' }), /bad parameter ":1x"/)
  t.match(routePattern({ path: '/a/:id/:id' }), /appears twice/)
  t.match(routePattern({ path: 'a' }), /must start with "\/"/)
  t.match(routePattern({ pathPrefix: 'a' }), /must start with "\/"/)
  t.match(routePattern({ path: '/a', pathPrefix: '/a' }), /not both/)
  t.match(routePattern({}), /needs a path/)
  const bad = routeSchema.parse({ name: 'x', match: {}, primary: 'p' })
  t.throws(() => compileRoutes([bad]), { code: 'SHADOWFIG_ERR_CONFIG', message: /routes\[0\] \(x\): match needs a path/ })
})

t.test('a thousand routes: every one reachable by its own path', async (t) => {
  const many = routes(...Array.from({ length: 1000 }, (_, i) => i % 2 ? { path: `/svc${i}/items/:id` } : { pathPrefix: `/svc${i}` }))
  const table = compileRoutes(many)
  let ok = 0
  for (let i = 0; i < 1000; i++) if (winner(table, `/svc${i}/items/${i}`) === i) ok++
  t.equal(ok, 1000)
})
