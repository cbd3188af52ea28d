/**
 * Builds the `ComparisonResult` on the main thread: applies the noise evidence to a worker's
 * output and computes the signature. A mismatch whose every differing path is noise becomes
 * `noise` (its fields are the noisy ones); otherwise noisy paths are listed in `noise` and only
 * the real fields remain in `fields` (a real difference on a noisy route stays a mismatch on
 * its own exchange). Learning (`learn`) and judging (`judge`) are apart so that an exchange
 * held `undecided` is judged again later without being learnt twice.
 */
import { createHash } from 'node:crypto'
import type { Exchange } from '../shadow/exchange.js'
import type { NoiseModel } from './noise.js'
import type { WorkerOutput } from './pipeline.js'
import type { ComparisonResult, SkipReason, Verdict } from './types.js'

/** Short hex hash of the sorted unique grouping paths; empty for none. */
export function signatureOf (paths: Iterable<string>): string {
  const sorted = [...new Set(paths)].sort()
  if (sorted.length === 0) return ''
  return createHash('sha256').update(sorted.join('\n')).digest('hex').slice(0, 16)
}

/** A result that needed no comparison (precheck, saturation, errors). */
export function simpleResult (ex: Exchange, verdict: Verdict, reason?: SkipReason | string): ComparisonResult {
  const r: ComparisonResult = { id: ex.id, route: ex.route, verdict, fields: [], noise: [], signature: '', status: statusOf(ex), durationMs: durationOf(ex) }
  if (reason !== undefined) r.reason = reason
  return r
}

function statusOf (ex: Exchange): ComparisonResult['status'] {
  const s: ComparisonResult['status'] = { primary: ex.primary.status, candidate: ex.candidate.status }
  if (ex.secondary) s.secondary = ex.secondary.status
  return s
}

function durationOf (ex: Exchange): ComparisonResult['durationMs'] {
  const d: ComparisonResult['durationMs'] = { primary: ex.primary.durationMs, candidate: ex.candidate.durationMs }
  if (ex.secondary) d.secondary = ex.secondary.durationMs
  return d
}

function referenceFor (ex: Exchange, out: WorkerOutput, noise: NoiseModel): string[] | undefined {
  if (out.secondaryPaths) return out.secondaryPaths
  if (out.fingerprint) return noise.repeatReference(ex.route, `${ex.request.method} ${ex.request.path}`, out.fingerprint)
  return undefined
}

/** Feeds the exchange's reference (secondary paths or a repeated request's changes) to the model. */
export function learn (ex: Exchange, out: WorkerOutput, noise: NoiseModel | undefined): void {
  if (!noise || (out.verdict !== 'match' && out.verdict !== 'mismatch')) return
  const ref = referenceFor(ex, out, noise)
  if (ref) noise.observe(ex.route, out.paths, ref)
}

/**
 * What `judge` does with a mismatch the evidence at hand does not explain:
 *  - `decide`: it is final now (a held exchange at the end of its wait, `at-once` embedders);
 *  - `learning` (the proxy): it waits (`undecided`) only when evidence for it can still come
 *    soon: the exchange has no answer of its own secondary, and every unexplained path is one
 *    the route's noise model is learning about (the reference has varied there, the window is
 *    still short of its samples). A path the reference never varied on is a real difference at
 *    once, so a real regression shows on its own exchange from the first request;
 *  - `all` (replay, which judges after the whole capture): every mismatch that has a reference
 *    (secondary or repeated request) waits, also one the window explains now: the window's
 *    rates at the end of the capture decide.
 */
export type Pending = 'decide' | 'learning' | 'all'

/**
 * The verdict from the evidence at hand. Until the route's window has its samples, the
 * exchange's own secondary decides: a path where it differs too was answered differently by
 * the primary's own code for this very request (Diffy's per-exchange model), and one where it
 * agrees with the primary is a real difference. Once the window has its samples its rates
 * decide (a path is noise where the primary varies by itself at a rate comparable to the
 * candidate's): they sum the per-exchange evidence of the last exchanges, so a field that
 * varies on some calls only is still noise when the secondary happens to agree, and a rarely
 * flaky secondary does not hide a field the candidate always changes.
 */
export function judge (ex: Exchange, out: WorkerOutput, noise: NoiseModel | undefined, pending: Pending = 'decide'): ComparisonResult {
  const r = simpleResult(ex, out.verdict, out.reason)
  if (out.decidedBy) r.decidedBy = out.decidedBy
  if (out.verdict !== 'mismatch') return r
  if (out.normalized) r.normalized = out.normalized
  if (out.raw) r.raw = out.raw
  if (out.forgiven) r.forgiven = out.forgiven
  const here = new Set(out.secondaryPaths ?? [])
  const windowed = noise !== undefined && noise.settled(ex.route)
  const noisy = new Set(out.paths.filter((p) => windowed ? noise.isNoise(ex.route, p) : here.has(p)))
  const real = out.paths.filter((p) => !noisy.has(p))
  r.noise = [...noisy].sort()
  if (real.length === 0 && noisy.size > 0) {
    r.verdict = 'noise'
    r.fields = out.fields
    r.signature = signatureOf(noisy)
  } else {
    r.fields = out.fields.filter((f) => !noisy.has(f.path))
    r.signature = signatureOf(real)
    if (pending === 'learning' && learning(ex, out, real, noise)) r.verdict = 'undecided'
  }
  if (pending === 'all' && noise !== undefined && (out.secondaryPaths !== undefined || out.fingerprint !== undefined)) r.verdict = 'undecided'
  return r
}

/** No secondary answer of its own, and every unexplained path one the model is learning about. */
function learning (ex: Exchange, out: WorkerOutput, real: readonly string[], noise: NoiseModel | undefined): boolean {
  return noise !== undefined && out.secondaryPaths === undefined && real.length > 0 && real.every((p) => noise.learning(ex.route, p))
}

export function finalize (ex: Exchange, out: WorkerOutput, noise: NoiseModel | undefined, pending: Pending = 'decide'): ComparisonResult {
  learn(ex, out, noise)
  return judge(ex, out, noise, pending)
}
