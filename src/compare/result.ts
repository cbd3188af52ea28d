/**
 * Builds the final `ComparisonResult` on the main thread: applies the noise model to a worker's
 * output and computes the signature. A mismatch whose every differing path is noise becomes
 * `noise` (its fields are the noisy ones); otherwise noisy paths are listed in `noise` and only
 * the real fields remain in `fields`.
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

export function finalize (ex: Exchange, out: WorkerOutput, noise: NoiseModel | undefined): ComparisonResult {
  const r = simpleResult(ex, out.verdict, out.reason)
  if (out.decidedBy) r.decidedBy = out.decidedBy
  if (noise && (out.verdict === 'match' || out.verdict === 'mismatch')) {
    const ref = referenceFor(ex, out, noise)
    if (ref) noise.observe(ex.route, out.paths, ref)
  }
  if (out.verdict !== 'mismatch') return r
  if (out.normalized) r.normalized = out.normalized
  if (out.forgiven) r.forgiven = out.forgiven
  const noisy = new Set(noise ? out.paths.filter((p) => noise.isNoise(ex.route, p)) : [])
  const real = out.paths.filter((p) => !noisy.has(p))
  r.noise = [...noisy].sort()
  if (real.length === 0 && noisy.size > 0) {
    r.verdict = 'noise'
    r.fields = out.fields
    r.signature = signatureOf(noisy)
  } else {
    r.fields = out.fields.filter((f) => !noisy.has(f.path))
    r.signature = signatureOf(real)
  }
  return r
}
