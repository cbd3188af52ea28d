/**
 * What built-in comparators see: the decoded, normalized sides plus the plan and the field set
 * they add to. Built-ins never decide a verdict; they add fields and continue, or refuse
 * (`skip`) when the work would exceed its cap.
 */
import type { DecodedBody } from '../decode.js'
import type { FieldSet } from '../fields.js'
import type { Plan } from '../plan.js'
import type { SkipReason } from '../types.js'

export interface PreparedSide {
  status: number
  headers: Record<string, string>
  body: DecodedBody
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
