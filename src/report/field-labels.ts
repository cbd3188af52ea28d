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
 */

export const OTHER_FIELD = '__other__'
export const DEFAULT_FIELD_LIMIT = 50

export class FieldLabeler {
  readonly limit: number
  private readonly byRoute = new Map<string, Set<string>>()

  constructor (limit: number = DEFAULT_FIELD_LIMIT) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`field label limit must be a non-negative integer, got ${limit}`)
    this.limit = limit
  }

  /** The label value to use for `field` on `route`; admits the field while there is room. */
  label (route: string, field: string): string {
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
