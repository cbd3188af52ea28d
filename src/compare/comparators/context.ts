/**
 * What built-in comparators see: the decoded, normalized sides plus the plan and the field set
 * they add to. Built-ins never decide a verdict; they add fields and continue, or refuse
 * (`skip`) when the work would exceed its cap.
 */
import type { DecodedBody } from '../decode.js'
import type { FieldSet } from '../field-set.js'
import type { Plan } from '../plan.js'
import type { SkipReason } from '../types.js'

/**
 * The body of a side when no comparator of the route's chain reads bodies (a chain of `status`
 * and `headers` only): neither decoded nor normalized, since nothing would look at the result.
 */
export interface UnreadBody { kind: 'unread' }

export interface PreparedSide {
  status: number
  headers: Record<string, string>
  /** Decoded body; `unread` only where no comparator of the chain reads bodies (none of those runs then). */
  body: DecodedBody | UnreadBody
  /** Decoded bytes (after content-encoding). */
  bytes: Uint8Array
  /** Normalized JSON value when `body.kind === 'json'`. */
  json?: unknown
}

export interface BuiltinContext {
  plan: Plan
  primary: PreparedSide
  candidate: PreparedSide
  fields: FieldSet
  maxLcsCells: number
}

export type BuiltinResult = 'continue' | { skip: SkipReason }

export interface BuiltinComparator {
  readonly name: string
  run (ctx: BuiltinContext): BuiltinResult
}
