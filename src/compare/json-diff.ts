/**
 * Structural JSON diff with jsondiffpatch, converted to FieldDiff entries.
 *
 * Text diffs are off: the default `jsondiffpatch` entry point has no diff-match-patch, so
 * changed strings come back as plain [old, new] pairs. Moves are off too (detectMove: false):
 * keyed and unordered arrays are already sorted by normalization, and in arrays whose order
 * matters a reorder is reported as removed + added (FieldKind has no "moved").
 *
 * Size cap: jsondiffpatch trims the common head and tail of two arrays and runs an LCS on the
 * rest, which allocates an n×m matrix. Before diffing we replay that trimming with the same
 * matching rule and sum n×m over all array pairs; above `maxLcsCells` the diff is refused
 * (caller reports verdict `skipped`, reason `diff_too_large`) instead of stalling a worker.
 */
import { create, type Delta, type DiffPatcher } from 'jsondiffpatch'
import { formatPath, type Segment } from './jsonpath.js'
import { changeKind, type FieldSet } from './fields.js'
import type { Plan } from './plan.js'

export const DEFAULT_MAX_LCS_CELLS = 1_000_000

const patchers = new WeakMap<Plan, DiffPatcher>()

function patcherFor (plan: Plan): DiffPatcher {
  let p = patchers.get(plan)
  if (!p) {
    p = create({ objectHash: plan.objectHash, matchByPosition: true, arrays: { detectMove: false }, cloneDiffValues: false })
    patchers.set(plan, p)
  }
  return p
}

/** Adds the differences of two normalized JSON values to `out`; false when over the size cap. */
export function diffJson (primary: unknown, candidate: unknown, plan: Plan, out: FieldSet, maxLcsCells = DEFAULT_MAX_LCS_CELLS): boolean {
  if (lcsCells(primary, candidate, plan.objectHash, maxLcsCells) > maxLcsCells) return false
  const delta = patcherFor(plan).diff(primary, candidate)
  if (delta !== undefined) collect(delta, [], out)
  return true
}

type Hash = Plan['objectHash']

function same (a: unknown[], b: unknown[], i: number, j: number, hash: Hash): boolean {
  const x = a[i]
  const y = b[j]
  if (x === y) return true
  if (typeof x !== 'object' || typeof y !== 'object') return false
  return hash(x as object, i) === hash(y as object, j)
}

/** Upper bound of the LCS matrix cells jsondiffpatch will allocate; stops counting past `cap`. */
function lcsCells (a: unknown, b: unknown, hash: Hash, cap: number): number {
  let cells = 0
  const visit = (x: unknown, y: unknown): void => {
    if (cells > cap || x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return
    if (Array.isArray(x) && Array.isArray(y)) {
      let head = 0
      let tail = 0
      while (head < x.length && head < y.length && same(x, y, head, head, hash)) visit(x[head], y[head++])
      while (tail + head < x.length && tail + head < y.length && same(x, y, x.length - 1 - tail, y.length - 1 - tail, hash)) {
        visit(x[x.length - 1 - tail], y[y.length - 1 - tail]); tail++
      }
      const n = x.length - head - tail
      const m = y.length - head - tail
      if (n > 0 && m > 0) cells += (n + 1) * (m + 1)
      return
    }
    if (Array.isArray(x) || Array.isArray(y)) return
    const yo = y as Record<string, unknown>
    for (const k of Object.keys(x)) if (Object.hasOwn(yo, k)) visit((x as Record<string, unknown>)[k], yo[k])
  }
  visit(a, b)
  return cells
}

function at (segs: readonly Segment[], s: Segment): Segment[] { return [...segs, s] }

function collect (delta: Delta, segs: Segment[], out: FieldSet): void {
  if (Array.isArray(delta)) {
    leaf(delta, segs, out)
    return
  }
  if (delta === undefined || typeof delta !== 'object') return
  if ((delta as { _t?: string })._t === 'a') {
    for (const key of Object.keys(delta)) {
      if (key === '_t') continue
      const d = (delta as Record<string, Delta>)[key]
      // `_N` entries refer to the primary's index, plain `N` to the candidate's.
      const idx = key.startsWith('_') ? Number(key.slice(1)) : Number(key)
      collect(d, at(segs, idx), out)
    }
    return
  }
  for (const key of Object.keys(delta)) collect((delta as Record<string, Delta>)[key], at(segs, key), out)
}

function leaf (d: unknown[], segs: Segment[], out: FieldSet): void {
  const path = formatPath(segs, true)
  const concretePath = formatPath(segs, false)
  if (d.length === 1) out.add({ path, concretePath, kind: 'added', candidate: d[0] })
  else if (d.length === 2) out.add({ path, concretePath, kind: changeKind(d[0], d[1]), primary: d[0], candidate: d[1] })
  else if (d[2] === 0) out.add({ path, concretePath, kind: 'removed', primary: d[0] })
  // Moves (d[2] === 3) and text diffs (d[2] === 2) are disabled in the patcher options.
}
