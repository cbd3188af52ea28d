/**
 * What the comparison engine produces for one exchange. Discriminated by `verdict`;
 * consumed by report/ (metrics, diff events, sample store) and by the split guard.
 */

/**
 * `undecided`: the candidate differs where the route's noise model has not seen enough
 * evidence yet to say whether the primary varies there by itself. Provisional: counted in no
 * rate, no counter and no guard; the same exchange comes back later with its final verdict
 * (`revised: true`), once the route's model has its samples (or the wait is over).
 */
export type Verdict = 'match' | 'mismatch' | 'noise' | 'candidate_error' | 'skipped' | 'undecided'

/** Verdicts that are final (what counters, rates and the guard count). */
export type FinalVerdict = Exclude<Verdict, 'undecided'>

export type SkipReason =
  | 'body_too_large' | 'not_json' | 'saturated' | 'comparator_error' | 'comparator_timeout'
  | 'diff_too_large' | 'primary_error' | 'decode_error' | 'unknown_route' | 'engine_closed'

export type FieldKind = 'changed' | 'added' | 'removed' | 'type'

export interface FieldDiff {
  /** Grouping path: array indices shown as `[*]`, e.g. `$.items[*].price`. Headers: `header:name`; status: `status`. */
  path: string
  /** Concrete path of this sample, e.g. `$.items[3].price`. */
  concretePath: string
  kind: FieldKind
  primary?: unknown
  candidate?: unknown
}

/** A difference a custom comparator removed from the fields when it decided: the chain forgave it. */
export interface ForgivenField extends FieldDiff {
  /** The comparator that forgave it. */
  by: string
}

export interface ComparisonResult {
  id: string
  route: string
  verdict: Verdict
  /** Set when verdict is `skipped` (and for `candidate_error`: connect, timeout, 5xx, …). */
  reason?: SkipReason | string
  /** Differences that remain after normalization (for `noise`: the noisy ones). */
  fields: FieldDiff[]
  /** Differences a custom comparator forgave (mismatches only): found, then decided not to count. */
  forgiven?: ForgivenField[]
  /** Paths that differ but are explained as noise by the secondary or by the primary itself. */
  noise: string[]
  /** Hash of the sorted differing paths, so one bug groups as one signature. Empty for match. */
  signature: string
  status: { primary: number, candidate: number, secondary?: number }
  durationMs: { primary: number, candidate: number, secondary?: number }
  /** Name of the comparator that decided, or `chain` when all continued. */
  decidedBy?: string
  /** Normalized bodies for the sample store (only for non-match; redacted). */
  normalized?: { primary: unknown, candidate: unknown }
  /** Raw bodies for the sample store (mismatches and their noise verdicts only; redacted, capped). */
  raw?: { primary: RawBody, candidate: RawBody }
  /** This final verdict replaces the `undecided` one delivered earlier for the same exchange id. */
  revised?: true
}

/**
 * One side's body as the service sent it, content-coding removed, before normalization:
 * `text` (JSON re-serialized pretty-printed after redaction), cut to the raw cap with
 * `truncated`; or why there is no text (binary, larger than the sample cap, not decodable).
 * `length` is the decoded body's size in bytes either way.
 */
export type RawBody =
  | { text: string, length: number, truncated?: true }
  | { omitted: string, length: number }
