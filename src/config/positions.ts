/**
 * Where a key path is written in the YAML file. Zod reports paths into the (merged) object;
 * this maps them back to `line:col` through the parsed Document's node ranges.
 *
 * - A path that does not exist (a missing required key) points at the nearest ancestor that
 *   does, e.g. the route's mapping.
 * - `at: 'key'` points at the key itself (unknown keys), not at its value.
 * - A value under `routes[i].shadow` / `routes[i].compare` that the route did not write but
 *   `defaults.shadow` / `defaults.compare` did points at the defaults, where it can be fixed.
 */
import { isMap, isScalar, type Document, type LineCounter, type Node } from 'yaml'

export type KeyPath = ReadonlyArray<string | number>

export interface Position {
  line: number
  col: number
  /** The path as written in the file (differs from the asked path for merged defaults). */
  path: KeyPath
}

export function formatKeyPath (path: KeyPath): string {
  let out = ''
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`
    else if (/^[A-Za-z0-9_$-]+$/.test(k)) out += out ? `.${k}` : k
    else out += `[${JSON.stringify(k)}]`
  }
  return out
}

export class Locator {
  constructor (private readonly doc: Document, private readonly lines: LineCounter) {}

  /** How many leading elements of `path` exist in the document. */
  private depth (path: KeyPath): number {
    for (let n = path.length; n > 0; n--) if (this.node(path.slice(0, n)) !== undefined) return n
    return 0
  }

  private node (path: KeyPath): Node | undefined {
    const n = this.doc.getIn(path, true)
    return n && typeof n === 'object' && 'range' in n ? n as Node : undefined
  }

  /** Path where the value is written: the route's own, or the defaults it came from. */
  written (path: KeyPath): KeyPath {
    const section = path[2]
    if (path[0] !== 'routes' || path.length < 4 || (section !== 'shadow' && section !== 'compare')) return path
    const fromDefaults = ['defaults', section, ...path.slice(3)]
    return this.depth(fromDefaults) - 2 > this.depth(path) - 3 ? fromDefaults : path
  }

  locate (asked: KeyPath, at: 'value' | 'key' = 'value'): Position {
    const path = this.written(asked)
    const found = this.depth(path)
    let node: Node | undefined = found > 0 ? this.node(path.slice(0, found)) : (this.doc.contents ?? undefined)
    if (at === 'key' && found === path.length) {
      const parent = this.doc.getIn(path.slice(0, -1), true)
      if (isMap(parent)) {
        const last = path[path.length - 1]
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last)
        if (pair && isScalar(pair.key)) node = pair.key
      }
    }
    const offset = node?.range?.[0] ?? 0
    const { line, col } = this.lines.linePos(offset)
    return { line, col, path }
  }
}
