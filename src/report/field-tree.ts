/**
 * Differing fields as a tree by JSON path, per route and per endpoint (since start). Each node
 * counts exchanges, not diffs: an exchange whose `$.items[0].price` and `$.items[1].sku`
 * differ counts once on `$.items`, `$.items[*]`, ... A node is *failing* in an exchange when a
 * path under it is a real difference of a mismatch, and *noise* when a path under it differed
 * but was explained as noise (a `noise` verdict's fields, a mismatch's `noise` list); both can
 * hold in one exchange. `diffs` counts exchanges with either. Rates are shares of the compared
 * exchanges (every verdict but `skipped`), so noise stands beside real differences on the same
 * scale. Bounded: at most `maxNodes` nodes; paths past that count under `__other__`.
 */
import { OTHER_FIELD } from './field-labels.js'

export interface FieldNodeCounts { path: string, diffs: number, failing: number, noise: number }

export interface FieldNodeReport extends FieldNodeCounts {
  /** The enclosing node's path; null at the top. */
  parent: string | null
  failingRate: number
  noiseRate: number
}

/**
 * A grouping path's ancestors and itself: `$.a.items[*].x` → `$.a`, `$.a.items`,
 * `$.a.items[*]`, `$.a.items[*].x`. Paths not starting with `$` (status, headers) are one node.
 */
export function pathNodes (path: string): string[] {
  if (!path.startsWith('$')) return [path]
  const out: string[] = []
  const step = /\.\.?(?:[^.[]+)|\[(?:'(?:[^'\\]|\\.)*'|[^\]]*)\]/gy
  step.lastIndex = 1
  let m: RegExpExecArray | null
  let end = 1
  while ((m = step.exec(path)) !== null) {
    end = step.lastIndex
    out.push(path.slice(0, end))
  }
  // Anything the steps did not cover (an odd path) stays whole as the last node.
  if (end < path.length) out.push(path)
  return out.length === 0 ? [path] : out
}

const parentOf = (path: string): string | null => {
  const nodes = pathNodes(path)
  return nodes.length < 2 ? null : nodes[nodes.length - 2]
}

export class FieldTree {
  private readonly nodes = new Map<string, FieldNodeCounts>()
  private readonly maxNodes: number

  constructor (maxNodes = 200) {
    this.maxNodes = maxNodes
  }

  add (failing: readonly string[], noise: readonly string[]): void {
    if (failing.length === 0 && noise.length === 0) return
    const f = this.keys(failing)
    const n = this.keys(noise)
    for (const key of new Set([...f, ...n])) {
      let node = this.nodes.get(key)
      if (node === undefined) this.nodes.set(key, node = { path: key, diffs: 0, failing: 0, noise: 0 })
      node.diffs++
      if (f.has(key)) node.failing++
      if (n.has(key)) node.noise++
    }
  }

  counts (): FieldNodeCounts[] {
    return [...this.nodes.values()].map((n) => ({ ...n }))
  }

  private keys (paths: readonly string[]): Set<string> {
    const out = new Set<string>()
    for (const p of paths) {
      for (const node of pathNodes(p)) out.add(this.nodes.has(node) || this.nodes.size + out.size < this.maxNodes ? node : OTHER_FIELD)
    }
    return out
  }
}

/** Flat nodes, parents before children, siblings by diffs; rates over `compared`. */
export function fieldTreeReport (nodes: readonly FieldNodeCounts[], compared: number): FieldNodeReport[] {
  const rate = (x: number): number => compared === 0 ? 0 : x / compared
  const byParent = new Map<string | null, FieldNodeReport[]>()
  const known = new Set(nodes.map((n) => n.path))
  for (const n of nodes) {
    const p = parentOf(n.path)
    const parent = p !== null && known.has(p) ? p : null
    const list = byParent.get(parent) ?? []
    list.push({ ...n, parent, failingRate: rate(n.failing), noiseRate: rate(n.noise) })
    byParent.set(parent, list)
  }
  const out: FieldNodeReport[] = []
  const walk = (parent: string | null): void => {
    for (const n of (byParent.get(parent) ?? []).sort((a, b) => b.diffs - a.diffs || a.path.localeCompare(b.path))) {
      out.push(n)
      walk(n.path)
    }
  }
  walk(null)
  return out
}
