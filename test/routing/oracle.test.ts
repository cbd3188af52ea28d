// The trie against a naive oracle: a linear scan of per-route regexes in file order, over
// random route sets and random paths. Catches pruning and ordering bugs the hand cases miss.
import t from 'tap'
import { routeSchema, type RouteConfig } from '../../src/config/schema.js'
import { compileRoutes } from '../../src/routing/table.js'

function rng (seed: number): () => number {
  return () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32 }
}
const WORDS = ['a', 'b', 'c', '']

function toRegex (m: RouteConfig['match']): RegExp {
  if (m.pathPrefix !== undefined) {
    const p = m.pathPrefix.replace(/\/+$/, '')
    return new RegExp(`^${p}(/.*)?$`)
  }
  const src = m.path!.split('/').map((s) => s === '*' ? '.+|' : s.startsWith(':') ? '[^/]+' : s).join('/')
  return new RegExp(`^${src.replace('/.+|', '/(.+|)')}$`)
}

t.test('agrees with a linear regex scan', async (t) => {
  const rand = rng(42)
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]
  let checked = 0
  let mismatches = 0
  for (let round = 0; round < 60; round++) {
    const n = 1 + Math.floor(rand() * 12)
    const routes = Array.from({ length: n }, (_, i) => {
      const depth = 1 + Math.floor(rand() * 3)
      const segs = Array.from({ length: depth }, () => { const r = rand(); return r < 0.3 ? `:p${Math.floor(rand() * 1e6)}` : pick(WORDS.slice(0, 3)) })
      const r = rand()
      const match = r < 0.25
        ? { pathPrefix: '/' + segs.slice(0, depth - 1).join('/') }
        : r < 0.4 ? { path: '/' + [...segs.filter((s) => !s.startsWith(':')), '*'].join('/') } : { path: '/' + segs.join('/') }
      const withMethod = rand() < 0.2 ? { ...match, methods: ['POST'] } : match
      return routeSchema.parse({ name: `r${i}`, match: withMethod, primary: 'p' })
    })
    const table = compileRoutes(routes)
    const regexes = routes.map((r) => toRegex(r.match))
    for (let k = 0; k < 40; k++) {
      const path = '/' + Array.from({ length: Math.floor(rand() * 4) }, () => pick(WORDS)).join('/')
      const method = rand() < 0.5 ? 'GET' : 'POST'
      const want = routes.findIndex((r, i) => regexes[i].test(path) && (!r.match.methods || r.match.methods.includes(method as 'GET')))
      const got = table.match(method, undefined, path, {})?.index ?? -1
      checked++
      if (got !== want) { mismatches++; t.fail(`${method} ${path}: trie ${got}, oracle ${want}`, { routes: routes.map((r) => r.match) }) }
    }
  }
  t.equal(mismatches, 0, `${checked} lookups compared`)
})
