/**
 * Route-matching micro-benchmark: the compiled table (src/routing/table.ts) against a naive
 * linear scan of per-route regexes, with 10 and 1,000 routes. Worst case for the scan: the
 * request matches the last route. Prints the median CPU ns/op of several rounds.
 *
 *   npx tsx bench/routing.ts [--rounds 7] [--ops 200000]
 */
import { parseArgs } from 'node:util'
import type { IncomingHttpHeaders } from 'node:http'
import { routeSchema, type RouteConfig } from '../src/config/schema.js'
import { compileRoutes } from '../src/routing/table.js'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, ops: { type: 'string', default: '200000' } } })
const ROUNDS = Number(values.rounds)
const OPS = Number(values.ops)

/** A realistic mix: id templates, nested templates, prefixes, wildcards, some method/header predicates. */
function makeRoutes (n: number): RouteConfig[] {
  return Array.from({ length: n }, (_, i) => {
    const kind = (n - 1 - i) % 4 // the last route has the same shape whatever n is
    const match = kind === 0 ? { path: `/api/v1/svc${i}/orders/:id`, methods: ['GET'] }
      : kind === 1 ? { path: `/api/v1/svc${i}/users/:uid/items/:item` }
        : kind === 2 ? { pathPrefix: `/api/v2/svc${i}`, headers: { 'x-tenant': '*' } }
          : { path: `/static/svc${i}/*` }
    return routeSchema.parse({ name: `r${i}`, match, primary: 'p' })
  })
}

interface Naive { re: RegExp, methods?: Set<string>, headers?: Array<[string, string]> }

function compileNaive (routes: RouteConfig[]): Naive[] {
  return routes.map((r) => {
    const m = r.match
    const src = m.pathPrefix !== undefined
      ? `^${m.pathPrefix.replace(/\/+$/, '')}(?:/.*)?$`
      : '^' + m.path!.split('/').map((s) => s === '*' ? '.+' : s.startsWith(':') ? `(?<${s.slice(1)}>[^/]+)` : s).join('/') + '$'
    return { re: new RegExp(src), methods: m.methods && new Set(m.methods), headers: m.headers && Object.entries(m.headers) }
  })
}

function naiveMatch (table: Naive[], method: string, path: string, headers: IncomingHttpHeaders): number {
  const q = path.indexOf('?')
  const p = q === -1 ? path : path.slice(0, q)
  for (let i = 0; i < table.length; i++) {
    const r = table[i]
    if (r.methods && !r.methods.has(method)) continue
    if (r.headers && !r.headers.every(([k, v]) => v === '*' ? headers[k] !== undefined : headers[k] === v)) continue
    const m = r.re.exec(p)
    if (m) { void m.groups; return i }
  }
  return -1
}

/** A request that matches route `i` (templates get concrete values). */
function requestFor (routes: RouteConfig[], i: number): { method: string, path: string, headers: IncomingHttpHeaders } {
  const m = routes[i].match
  const path = (m.path ?? m.pathPrefix + '/x/y').replace(/:[a-z]+/g, '4711').replace('*', 'app/main.css') + '?trace=1'
  return { method: 'GET', path, headers: { 'x-tenant': 'acme', host: 'shop.example.com' } }
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/**
 * Median CPU time (user + system, of this process) per op. CPU time rather than wall time:
 * on a shared machine the wall clock also counts the time other processes had the core.
 */
function time (fn: () => unknown): number {
  const rounds: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.cpuUsage()
    for (let k = 0; k < OPS; k++) fn()
    const d = process.cpuUsage(t0)
    rounds.push((d.user + d.system) * 1000 / OPS)
  }
  return median(rounds)
}

const rows: Array<Record<string, string>> = []
for (const n of [10, 1000]) {
  const routes = makeRoutes(n)
  const table = compileRoutes(routes)
  const naive = compileNaive(routes)
  for (const which of ['first', 'last'] as const) {
    const i = which === 'first' ? 0 : n - 1
    const req = requestFor(routes, i)
    if (table.match(req.method, 'shop.example.com', req.path, req.headers)?.index !== i) throw new Error(`table missed route ${i}`)
    if (naiveMatch(naive, req.method, req.path, req.headers) !== i) throw new Error(`naive missed route ${i}`)
    const tableNs = time(() => table.match(req.method, 'shop.example.com', req.path, req.headers))
    const naiveNs = time(() => naiveMatch(naive, req.method, req.path, req.headers))
    rows.push({ routes: String(n), matched: `${which} (${req.path})`, 'table ns/op': tableNs.toFixed(0), 'linear ns/op': naiveNs.toFixed(0), 'linear/table': (naiveNs / tableNs).toFixed(1) + 'x' })
  }
}
console.table(rows)
const t10 = Number(rows[1]['table ns/op'])
const t1000 = Number(rows[3]['table ns/op'])
console.log(`table, last route (same shape): 1000 routes cost ${(t1000 / t10).toFixed(2)}x of 10 routes (medians of ${ROUNDS} rounds x ${OPS} ops, node ${process.version})`)
