/**
 * Bounded `field` label values for `shadowfig_field_mismatches_total`.
 *
 * Policy: per route, the first K distinct field paths seen get their own label; every later
 * new path is counted under `field="__other__"`. So a route never has more than K+1 series,
 * whatever its traffic sends (10,000 random keys included).
 *
 * Why not "top-K by count" with replacement: evicting a field would mean removing its
 * series, and a counter series that disappears makes `sum(rate(...))` drop and `increase()`
 * lie, while its past counts would not move into `__other__` either. First-K-wins keeps
 * every series monotonic. Grouping paths (`$.items[*].price`) are already low-cardinality,
 * so the first K are in practice the real recurring fields; the in-memory `/api/report`
 * keeps its own exact top-N by count for the rare case where they are not. A route removed
 * from the config is forgotten (`forget`; the Reporter then removes its field series).
 * Labels carry key names only, never a value (`fieldLabel`).
 */

import { createHash } from 'node:crypto'

export const OTHER_FIELD = '__other__'
export const DEFAULT_FIELD_LIMIT = 50
/** Longest `field` label value; longer paths keep their start and a hash of the whole. */
export const MAX_FIELD_LABEL = 128
/** What a key that looks like a value becomes in a label. */
export const VALUE_KEY = '{key}'

/**
 * Keys that are data rather than names: numbers, UUIDs, long hex, long mixed letter-and-digit
 * tokens, e-mail addresses. Responses that key maps by id or token (`{"sk_live_…": {…}}`)
 * would otherwise put those values on the open /metrics endpoint.
 */
const VALUE_LIKE = /^(?:\d+|[0-9a-f]{16,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=[^]*\d)(?=[^]*[a-z])[\w+/=.~-]{20,}|[^@\s]+@[^@\s]+)$/i

/**
 * The `field` label for a differing path: only key names ever reach it (paths are built from
 * keys; values never are), and of those, keys that look like values become `{key}`; control
 * characters become `?` (prom-client escapes `\`, `"` and newlines in the exposition); and
 * it is at most MAX_FIELD_LABEL characters.
 */
export function fieldLabel (path: string): string {
  let label = path
    .replace(/\['((?:[^'\\]|\\.)*)'\]/g, (m: string, key: string) => VALUE_LIKE.test(key) ? `['${VALUE_KEY}']` : m)
    .replace(/\.([^.[\]']+)/g, (m: string, key: string) => VALUE_LIKE.test(key) ? `.${VALUE_KEY}` : m)
    .replace(/^(header:)(.+)$/s, (m: string, prefix: string, name: string) => VALUE_LIKE.test(name) ? prefix + VALUE_KEY : m)
    // eslint-disable-next-line no-control-regex -- exactly the control characters are meant
    .replace(/[\u0000-\u001f\u007f]/g, '?')
  if (label.length > MAX_FIELD_LABEL) {
    const hash = createHash('sha256').update(label).digest('hex').slice(0, 8)
    label = `${label.slice(0, MAX_FIELD_LABEL - 10)}…~${hash}`
  }
  return label
}

export class FieldLabeler {
  readonly limit: number
  private readonly byRoute = new Map<string, Set<string>>()

  constructor (limit: number = DEFAULT_FIELD_LIMIT) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`field label limit must be a non-negative integer, got ${limit}`)
    this.limit = limit
  }

  /** The label value to use for `field` (a differing path) on `route`; admits it while there is room. */
  label (route: string, path: string): string {
    const field = fieldLabel(path)
    let set = this.byRoute.get(route)
    if (set === undefined) this.byRoute.set(route, set = new Set())
    if (set.has(field)) return field
    if (set.size < this.limit && field !== OTHER_FIELD) {
      set.add(field)
      return field
    }
    return OTHER_FIELD
  }

  /** Fields of `route` that have their own label, in admission order. */
  labelled (route: string): string[] {
    return [...(this.byRoute.get(route) ?? [])]
  }

  /** Forget a route (removed from the config); returns the labels it had, for series removal. */
  forget (route: string): string[] {
    const fields = this.labelled(route)
    this.byRoute.delete(route)
    return fields
  }
}
