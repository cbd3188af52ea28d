/**
 * Verdicts that need no decoding, decided on the calling thread before a task is queued:
 * a failed primary (nothing to compare against), a failed or 5xx candidate, a body that was
 * cut at the capture cap or is larger than the route's comparison cap.
 */
import type { Exchange } from '../shadow/exchange.js'
import type { SkipReason } from './types.js'

export type Precheck =
  | { verdict: 'skipped', reason: SkipReason }
  | { verdict: 'candidate_error', reason: string }

export function precheck (ex: Exchange, maxBodySize: number): Precheck | undefined {
  if (ex.primary.failure) return { verdict: 'skipped', reason: 'primary_error' }
  if (ex.candidate.failure) return { verdict: 'candidate_error', reason: ex.candidate.failure }
  // A candidate 5xx is its own failure only when the primary coped; both 5xx is compared.
  if (ex.candidate.status >= 500 && ex.primary.status < 500) return { verdict: 'candidate_error', reason: '5xx' }
  if (ex.primary.truncated || ex.candidate.truncated ||
    ex.primary.body.length > maxBodySize || ex.candidate.body.length > maxBodySize) {
    return { verdict: 'skipped', reason: 'body_too_large' }
  }
  return undefined
}
