/**
 * Normalization: turns a decoded JSON value or header map into its canonical form under a
 * route's plan. Ignored paths are dropped, numbers rounded, masks applied, keyed arrays sorted by
 * key and unordered arrays sorted by their items' canonical text. `normalizeJson` returns a new
 * value (its input is never mutated), `normalizeOwned` the same value made from the caller's own
 * parse in place; normalizing again gives the same value (idempotent), which the property tests
 * check. `canonical()` gives the bytes whose equality means "match".
 */
import stringify from 'fast-json-stable-stringify'
import type { HeaderMap } from '../http/headers.js'
import { maskNumber, maskString } from './masks.js'
import type { Scope } from './path-scope.js'
import type { ArrayMode, Plan } from './plan.js'

export function canonical (value: unknown): string {
  return String(stringify(value))
}

/**
 * `canonical(a) === canonical(b)` for JSON values, without building either string: a walk that
 * stops at the first difference and allocates nothing. Object key order never matters; array
 * order always does (normalization already ordered the arrays that should not).
 */
export function jsonEqual (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  let keys = 0
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !jsonEqual(x[k], y[k])) return false
    keys++
  }
  return keys === keyCount(y)
}

function keyCount (o: object): number {
  let n = 0
  for (const k in o) if (Object.hasOwn(o, k)) n++
  return n
}

/** Own-property assignment that stays safe for a JSON key named `__proto__`. */
function put (obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
  else obj[key] = value
}

/**
 * Arrays whose items normalization moved (ruled arrays are sorted) or dropped (ignored items):
 * for each item, its index in the response. Kept beside the value, not in it, so the value
 * stays plain JSON; the diff reads it to report indices of the real responses.
 */
const origins = new WeakMap<readonly unknown[], readonly number[]>()

/** The index in the response of item `i` of a normalized array. */
export function originalIndex (array: readonly unknown[], i: number): number {
  return origins.get(array)?.[i] ?? i
}

export function normalizeJson (value: unknown, plan: Plan): unknown {
  return normalizeWalk(value, plan, false)
}

/**
 * `normalizeJson` for a value nobody else holds (the comparison's own parse of a body): its
 * objects are normalized in place instead of copied, which halves the work on a body of many
 * small objects. The value must not be used as the response's value afterwards.
 */
export function normalizeOwned (value: unknown, plan: Plan): unknown {
  return normalizeWalk(value, plan, true)
}

function normalizeWalk (value: unknown, plan: Plan, owned: boolean): unknown {
  const masking = plan.masks.strings.length > 0
  // Where the value is, as a state of the plan's path automaton (path-scope.ts): one
  // transition per key, not a match of every ignore path against the whole location.
  const walk = (v: unknown, scope: Scope): unknown => {
    if (typeof v === 'number') return normalizeNumber(v, plan)
    if (typeof v === 'string') return masking ? maskString(v, plan.masks) : v
    if (v === null || typeof v !== 'object') return v
    if (Array.isArray(v)) {
      const out: unknown[] = []
      let from: number[] | undefined // made only once an item is dropped or the array is sorted
      for (let i = 0; i < v.length; i++) {
        const at = scope.child(i)
        if (at.ignored) { from ??= out.map((_, j) => j); continue }
        out.push(walk(v[i], at))
        from?.push(i)
      }
      const rule = plan.arrays[scope.arrayRule]
      const ordered = rule ? orderArray(out, from ?? out.map((_, j) => j), rule.mode) : { items: out, from }
      if (ordered.from?.some((o, i) => o !== i)) origins.set(ordered.items, ordered.from)
      return ordered.items
    }
    const obj = v as Record<string, unknown>
    const out: Record<string, unknown> = owned ? obj : {}
    // for-in: a parsed JSON object's own keys in their order (plain objects inherit none).
    for (const k in obj) {
      const at = scope.child(k)
      if (at.ignored) {
        if (owned) delete obj[k]
        continue
      }
      const x = obj[k]
      const y = walk(x, at)
      if (!owned || y !== x) put(out, k, y)
    }
    return out
  }
  return walk(value, plan.scope)
}

function normalizeNumber (n: number, plan: Plan): number | string {
  let r = n
  // Beyond 1e15 scaling loses integer precision, and such numbers have no fraction to round.
  if (plan.roundFactor !== undefined && Math.abs(n) < 1e15) r = Math.round(n * plan.roundFactor) / plan.roundFactor
  if (Object.is(r, -0)) r = 0
  return maskNumber(r, plan.masks)
}

/** An item of a ruled array with its sort key and its index in the response. */
interface Keyed { item: unknown, at: number, rank: number, n: number, s: string }

function orderArray (items: unknown[], from: number[], mode: ArrayMode): { items: unknown[], from: number[] } {
  const keyed: Keyed[] = new Array<Keyed>(items.length)
  for (let i = 0; i < items.length; i++) keyed[i] = sortKeyOf(items[i], from[i] as number, mode)
  // Equal keys (duplicates) tie-break on content, so the order the upstream sent never matters.
  keyed.sort((a, b) => a.rank - b.rank || (a.n - b.n) || cmp(a.s, b.s) || cmp(canonical(a.item), canonical(b.item)))
  return { items: keyed.map((k) => k.item), from: keyed.map((k) => k.at) }
}

function cmp (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Keyed items sort by key (numbers numerically, before strings); items without a key go last. */
function sortKeyOf (item: unknown, at: number, mode: ArrayMode): Keyed {
  if ('key' in mode && item !== null && typeof item === 'object' && !Array.isArray(item)) {
    const k = (item as Record<string, unknown>)[mode.key]
    if (typeof k === 'number') return { item, at, rank: 0, n: k, s: '' }
    if (typeof k === 'string') return { item, at, rank: 1, n: 0, s: k }
  }
  return { item, at, rank: 2, n: 0, s: canonical(item) }
}

/** Header map restricted to the compared headers, names lower-case, values masked. */
export function normalizeHeaders (headers: HeaderMap, plan: Plan): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of Object.keys(headers).sort()) {
    const lower = name.toLowerCase()
    if (!plan.compareHeader(lower)) continue
    const raw = headers[name]
    const values = Array.isArray(raw) ? raw : [raw]
    // Cookie values are secrets and change per response: compare only the cookie names.
    const joined = lower === 'set-cookie'
      ? values.map((c) => c.split('=')[0].trim()).sort().join(', ')
      : values.join(', ')
    out[lower] = plan.masks.strings.length > 0 ? maskString(joined, plan.masks) : joined
  }
  return out
}
