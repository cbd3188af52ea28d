/**
 * Collects field differences for one exchange: keeps at most `max` of them for the result
 * (a 50k-item diff must not produce a 50k-entry event) but every distinct grouping path, which
 * the signature and the noise model need.
 */
import type { FieldDiff, FieldKind } from './types.js'

export const DEFAULT_MAX_FIELDS = 100

export class FieldSet {
  readonly list: FieldDiff[] = []
  readonly paths = new Set<string>()
  total = 0

  constructor (readonly max: number = DEFAULT_MAX_FIELDS) {}

  add (field: FieldDiff): void {
    this.total++
    this.paths.add(field.path)
    if (this.list.length < this.max) this.list.push(field)
  }

  /** Replace everything (a custom comparator's decision lists the fields that remain). */
  replace (fields: readonly FieldDiff[]): void {
    this.list.length = 0
    this.paths.clear()
    this.total = 0
    for (const f of fields) this.add(f)
  }
}

/** `type` when the JSON types differ (null and array count as their own types), else `changed`. */
export function changeKind (a: unknown, b: unknown): FieldKind {
  return jsonType(a) === jsonType(b) ? 'changed' : 'type'
}

export function jsonType (v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v
}
