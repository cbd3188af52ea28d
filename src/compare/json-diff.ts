/**
 * Structural JSON diff with jsondiffpatch, converted to FieldDiff entries.
 *
 * Text diffs are off: the default `jsondiffpatch` entry point has no diff-match-patch, so
 * changed strings come back as plain [old, new] pairs. Moves are off (detectMove: false):
 * FieldKind has no "moved", and ruled arrays are sorted by normalization anyway.
 *
 * Arrays:
 * - with a `key` rule: jsondiffpatch's LCS, items matched by their key (objectHash), so an
 *   inserted item is one `added` field, not a shift of every later item;
 * - with `unordered: true`: LCS over the canonically sorted items, matched by content, which
 *   amounts to a multiset difference (removed / added items);
 * - without a rule: compared by position (a filter placed before jsondiffpatch's own array
 *   filter). Linear, deterministic and symmetric: diff(a, b) mirrors diff(b, a), which an LCS
 *   with ties does not guarantee. Give arrays identity with a rule to report insertions well.
 *
 * Size cap: the LCS allocates an n×m matrix over the part of two arrays that their common head
 * and tail leave. Before diffing we replay that trimming with the same matching rule and sum
 * n×m over all ruled array pairs; above `maxLcsCells` the diff is refused (the caller reports
 * verdict `skipped`, reason `diff_too_large`) instead of stalling a worker.
 */
import { create, type Delta, type DiffContext, type DiffPatcher } from 'jsondiffpatch'
import { formatPath, type Segment } from './jsonpath.js'
import { changeKind, type FieldSet } from './field-set.js'
import { originalIndex } from './normalize.js'
import { scopeAt } from './path-scope.js'
import type { Plan } from './plan.js'

export const DEFAULT_MAX_LCS_CELLS = 1_000_000

const patchers = new WeakMap<Plan, DiffPatcher>()

function patcherFor (plan: Plan): DiffPatcher {
  let p = patchers.get(plan)
  if (!p) {
    p = create({ objectHash: plan.objectHash, matchByPosition: true, arrays: { detectMove: false }, cloneDiffValues: false })
    p.processor.pipes.diff.before('arrays', positionalArrays(plan))
    patchers.set(plan, p)
  }
  return p
}

/** Adds the differences of two normalized JSON values whose canonical bytes differ to `out`; false when over the size cap. */
export function diffJson (primary: unknown, candidate: unknown, plan: Plan, out: FieldSet, maxLcsCells = DEFAULT_MAX_LCS_CELLS): boolean {
  if (lcsCells(primary, candidate, plan, maxLcsCells) > maxLcsCells) return false
  const delta = patcherFor(plan).diff(primary, candidate)
  const before = out.total
  if (delta !== undefined) collect(delta, { segs: [], real: [], left: primary, right: candidate }, plan, out)
  // jsondiffpatch never descends into keys named __proto__ (prototype-pollution guard), so two
  // values differing only there give no delta; the canonical bytes differed, so say so.
  if (out.total === before) out.add({ path: '$', concretePath: '$', kind: 'changed' })
  return true
}

function isRuled (plan: Plan, segs: readonly Segment[]): boolean {
  return scopeAt(plan.scope, segs).arrayRule !== -1
}

/** Location of a diff context, from its chain of parents. */
function contextPath (context: DiffContext): Segment[] {
  const segs: Segment[] = []
  for (let c: DiffContext | undefined = context; c?.parent !== undefined; c = c.parent as DiffContext | undefined) {
    if (c.childName !== undefined) segs.unshift(c.childName)
  }
  return segs
}

type DiffContextCtor = new (left: unknown, right: unknown) => DiffContext

function positionalArrays (plan: Plan): ((context: DiffContext) => void) & { filterName: string } {
  const filter = (context: DiffContext): void => {
    if (!context.leftIsArray || !Array.isArray(context.right) || isRuled(plan, contextPath(context))) return
    const left = context.left as unknown[]
    const right = context.right
    const common = Math.min(left.length, right.length)
    const Ctor = context.constructor as DiffContextCtor
    for (let i = 0; i < common; i++) context.push(new Ctor(left[i], right[i]), i)
    const result: Record<string, unknown> = { _t: 'a' }
    for (let i = common; i < right.length; i++) result[i] = [right[i]]
    for (let i = common; i < left.length; i++) result[`_${i}`] = [left[i], 0, 0]
    // Children (the common positions) are merged into this result by collectChildren.
    context.setResult((left.length === right.length ? undefined : result) as Delta).exit()
  }
  return Object.assign(filter, { filterName: 'positionalArrays' })
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
function lcsCells (a: unknown, b: unknown, plan: Plan, cap: number): number {
  const hash = plan.objectHash
  const segs: Segment[] = []
  let cells = 0
  const visit = (x: unknown, y: unknown, at: Segment | undefined): void => {
    if (cells > cap || x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return
    if (at !== undefined) segs.push(at)
    if (Array.isArray(x) && Array.isArray(y)) {
      if (!isRuled(plan, segs)) {
        for (let i = 0; i < Math.min(x.length, y.length); i++) visit(x[i], y[i], i)
      } else {
        let head = 0
        let tail = 0
        while (head < x.length && head < y.length && same(x, y, head, head, hash)) { visit(x[head], y[head], head); head++ }
        while (tail + head < x.length && tail + head < y.length && same(x, y, x.length - 1 - tail, y.length - 1 - tail, hash)) {
          visit(x[x.length - 1 - tail], y[y.length - 1 - tail], y.length - 1 - tail); tail++
        }
        const n = x.length - head - tail
        const m = y.length - head - tail
        if (n > 0 && m > 0) cells += (n + 1) * (m + 1)
      }
    } else if (!Array.isArray(x) && !Array.isArray(y)) {
      const yo = y as Record<string, unknown>
      for (const k of Object.keys(x)) if (Object.hasOwn(yo, k)) visit((x as Record<string, unknown>)[k], yo[k], k)
    }
    if (at !== undefined) segs.pop()
  }
  visit(a, b, undefined)
  return cells
}

/**
 * Where `collect` is: the grouping location in the normalized values (`segs`), the same location
 * with the indices of the real responses (`real`), and the two normalized values there.
 */
interface Cursor { segs: Segment[], real: Segment[], left: unknown, right: unknown }

const child = (v: unknown, k: Segment): unknown => v !== null && typeof v === 'object' ? (v as Record<Segment, unknown>)[k] : undefined

/** Per primary array, the first index of each item hash (built on the first lookup: one pass, not one per item). */
const byHash = new WeakMap<readonly unknown[], Map<string, number>>()

/** The primary's item that jsondiffpatch paired with the candidate's item `j`: same key (ruled arrays) or same index. */
function pairedLeft (left: unknown, right: unknown[], j: number, segs: readonly Segment[], plan: Plan): number {
  if (!Array.isArray(left) || !isRuled(plan, segs)) return j
  const item = right[j]
  if (item === null || typeof item !== 'object') return j
  let index = byHash.get(left)
  if (index === undefined) {
    index = new Map()
    for (let i = left.length - 1; i >= 0; i--) {
      const x = left[i]
      if (x !== null && typeof x === 'object') index.set(plan.objectHash(x), i)
    }
    byHash.set(left, index)
  }
  return index.get(plan.objectHash(item)) ?? j
}

function collect (delta: NonNullable<Delta>, at: Cursor, plan: Plan, out: FieldSet): void {
  if (Array.isArray(delta)) {
    leaf(delta, at, out)
    return
  }
  if ((delta as { _t?: string })._t === 'a') {
    const left = Array.isArray(at.left) ? at.left : []
    const right = Array.isArray(at.right) ? at.right : []
    for (const key of Object.keys(delta)) {
      if (key === '_t') continue
      const d = (delta as Record<string, NonNullable<Delta>>)[key]
      // `_N` entries refer to the primary's index, plain `N` to the candidate's; both are
      // indices into normalized (sorted, filtered) arrays, mapped back to the responses'.
      if (key.startsWith('_')) {
        const i = Number(key.slice(1))
        collect(d, { segs: [...at.segs, i], real: [...at.real, originalIndex(left, i)], left: left[i], right: undefined }, plan, out)
      } else {
        const j = Number(key)
        const i = pairedLeft(at.left, right, j, at.segs, plan)
        collect(d, { segs: [...at.segs, j], real: [...at.real, originalIndex(right, j)], left: left[i], right: right[j] }, plan, out)
      }
    }
    return
  }
  for (const key of Object.keys(delta)) {
    collect((delta as Record<string, NonNullable<Delta>>)[key], { segs: [...at.segs, key], real: [...at.real, key], left: child(at.left, key), right: child(at.right, key) }, plan, out)
  }
}

function leaf (d: unknown[], at: Cursor, out: FieldSet): void {
  const path = formatPath(at.segs, true)
  const concretePath = formatPath(at.real, false)
  if (d.length === 1) out.add({ path, concretePath, kind: 'added', candidate: d[0] })
  else if (d.length === 2) out.add({ path, concretePath, kind: changeKind(d[0], d[1]), primary: d[0], candidate: d[1] })
  else if (d[2] === 0) out.add({ path, concretePath, kind: 'removed', primary: d[0] })
  // Moves (d[2] === 3) and text diffs (d[2] === 2) are disabled in the patcher options.
}
