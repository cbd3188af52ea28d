/**
 * The compiled route table: first match in file order wins, and the cost of a lookup depends
 * on the path's depth and on how many routes overlap it, not on how many routes exist.
 *
 * Structure: a segment trie (a radix tree keyed by whole path segments). Every route is
 * inserted once at compile time; each node keeps the ordered indices of routes that end there
 * (templates), that continue with `*`, or whose prefix ends there. A lookup walks every branch
 * the path can take (static child, `:param` child, wildcard, prefixes), and keeps the lowest
 * route index whose method/header/host predicates pass. Each node also knows the lowest index
 * anywhere below it, so branches that cannot beat the current best are never entered.
 *
 * Why not find-my-way directly: it returns one handler per path with its own precedence
 * (static > param > wildcard), while ops expect file order across overlapping routes such as
 * `pathPrefix: /api` before `path: /api/orders/:id`. Collecting all candidates needs the walk
 * above; the trie is the same radix idea with that walk built in.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { ShadowfigError } from '../errors.js'
import type { RouteConfig } from '../config/schema.js'
import { extractParams, parsePrefix, parseTemplate, queryStart, type PathPattern } from './path.js'
import { compilePredicate, type Predicate } from './predicates.js'

export interface RouteMatch {
  route: RouteConfig
  /** Position of the route in the config's `routes` list. */
  index: number
  /** Template params (`:id`), and `*` for a wildcard's rest; percent-decoded. */
  params: Record<string, string>
}

export interface RouteTable {
  readonly routes: readonly RouteConfig[]
  /** `path` may carry a query string; it is ignored for matching. */
  match (method: string, host: string | undefined, path: string, headers: IncomingHttpHeaders): RouteMatch | undefined
}

const NONE = Number.MAX_SAFE_INTEGER
const NO_HEADERS: IncomingHttpHeaders = Object.freeze({})

class Node {
  readonly children = new Map<string, Node>()
  /** Few static children (most nodes): compared in place, with no substring allocated. */
  keys: string[] | undefined
  kids: Node[] | undefined
  param: Node | undefined
  /** Templates ending exactly here. */
  ends: number[] = []
  /** Templates whose last segment `*` starts here (one or more remaining segments). */
  wildcards: number[] = []
  /** Prefixes ending here (zero or more remaining segments). */
  prefixes: number[] = []
  /** Lowest route index stored in this node or below. */
  min = NONE
}

interface Compiled {
  pattern: PathPattern
  predicate: Predicate | undefined
  /** Template with :params or `*`: only then are params extracted. */
  hasParams: boolean
}

/** The pattern of a route's `match`, or an error message (one of path/pathPrefix is required). */
export function routePattern (match: RouteConfig['match']): PathPattern | string {
  if (match.path !== undefined && match.pathPrefix !== undefined) return 'set either match.path or match.pathPrefix, not both'
  if (match.path !== undefined) return parseTemplate(match.path)
  if (match.pathPrefix !== undefined) return parsePrefix(match.pathPrefix)
  return 'match needs a path (template such as /orders/:id) or a pathPrefix (use pathPrefix: / for a catch-all)'
}

function insert (root: Node, pattern: PathPattern, index: number): void {
  let node = root
  node.min = Math.min(node.min, index)
  for (const seg of pattern.segments) {
    if (seg.kind === 'wildcard') { node.wildcards.push(index); return }
    let next: Node | undefined
    if (seg.kind === 'param') next = node.param ??= new Node()
    else {
      next = node.children.get(seg.value)
      if (!next) { next = new Node(); node.children.set(seg.value, next) }
    }
    node = next
    node.min = Math.min(node.min, index)
  }
  if (pattern.kind === 'prefix') node.prefixes.push(index)
  else node.ends.push(index)
}

/** Build the table; throws SHADOWFIG_ERR_CONFIG on a bad pattern (the loader reports those first, with line numbers). */
export function compileRoutes (routes: readonly RouteConfig[]): RouteTable {
  const root = new Node()
  const compiled: Compiled[] = routes.map((route, index) => {
    const pattern = routePattern(route.match)
    if (typeof pattern === 'string') throw new ShadowfigError('SHADOWFIG_ERR_CONFIG', `routes[${index}] (${route.name}): ${pattern}`)
    insert(root, pattern, index)
    const hasParams = pattern.segments.some((s) => s.kind !== 'static')
    return { pattern, predicate: compilePredicate(route.match), hasParams }
  })
  freeze(root)
  return new Table(routes, root, compiled)
}

const SMALL = 8

function freeze (node: Node): void {
  if (node.children.size <= SMALL) {
    node.keys = [...node.children.keys()]
    node.kids = [...node.children.values()]
  }
  for (const child of node.children.values()) freeze(child)
  if (node.param) freeze(node.param)
}

/** The child whose key is exactly path[start, end), without slicing. */
function find (keys: readonly string[], kids: readonly Node[], path: string, start: number, end: number): Node | undefined {
  const len = end - start
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]
    if (k.length === len && path.startsWith(k, start)) return kids[i]
  }
  return undefined
}

class Table implements RouteTable {
  // Per-lookup state lives on the instance: lookups are synchronous, so there is no reentrancy.
  private method = ''
  private host: string | undefined
  private headers: IncomingHttpHeaders = NO_HEADERS
  private best = NONE

  constructor (readonly routes: readonly RouteConfig[], private readonly root: Node, private readonly compiled: readonly Compiled[]) {}

  match (method: string, host: string | undefined, path: string, headers: IncomingHttpHeaders): RouteMatch | undefined {
    if (path === '' || path.charCodeAt(0) !== 47 /* / */) path = '/' + path
    this.method = method
    this.host = host
    this.headers = headers
    this.best = NONE
    const end = queryStart(path)
    this.walk(this.root, path, 0, end)
    this.headers = NO_HEADERS // do not keep the request's headers alive
    const index = this.best
    if (index === NONE) return undefined
    const { pattern, hasParams } = this.compiled[index]
    return {
      route: this.routes[index],
      index,
      params: hasParams ? extractParams(pattern, path, end) : {},
    }
  }

  /**
   * `pos` is the index of the `/` before the current segment; `pos === end` means the path is
   * used up. Segments are sliced on the way down instead of splitting the whole path first:
   * most branches end after one or two map lookups.
   */
  private walk (node: Node, path: string, pos: number, end: number): void {
    if (node.min >= this.best) return
    if (node.prefixes.length) this.consider(node.prefixes)
    if (pos === end) {
      if (node.ends.length) this.consider(node.ends)
      return
    }
    if (node.wildcards.length) this.consider(node.wildcards)
    let next = path.indexOf('/', pos + 1)
    if (next === -1 || next > end) next = end
    const child = node.keys ? find(node.keys, node.kids!, path, pos + 1, next) : node.children.get(path.slice(pos + 1, next))
    if (child) this.walk(child, path, next, end)
    if (node.param && next > pos + 1) this.walk(node.param, path, next, end)
  }

  /** `list` is ascending: the first index that passes its predicates is this node's best. */
  private consider (list: readonly number[]): void {
    for (const index of list) {
      if (index >= this.best) return
      const p = this.compiled[index].predicate
      if (!p || p(this.method, this.host, this.headers)) { this.best = index; return }
    }
  }
}
