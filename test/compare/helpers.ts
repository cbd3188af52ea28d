/** Builders shared by the compare tests: exchanges and route configs with defaults applied. */
import { compareSchema, type CompareConfig } from '../../src/config/schema.js'
import type { CapturedResponse } from '../../src/http/captured.js'
import type { Exchange } from '../../src/shadow/exchange.js'
import type { HeaderMap } from '../../src/http/headers.js'
import { compileRoute, DEFAULT_COMPARE_LIMITS, runComparison, type CompareLimits, type CompiledRoute } from '../../src/compare/pipeline.js'
import { precheck } from '../../src/compare/precheck.js'
import { finalize, simpleResult } from '../../src/compare/result.js'
import type { ComparisonResult } from '../../src/compare/types.js'

export type CompareInput = Parameters<typeof compareSchema.parse>[0]

export function cfg (input: CompareInput = {}): CompareConfig {
  return compareSchema.parse(input)
}

export function route (input: CompareInput = {}, hasSecondary = false, configDir = process.cwd()): Promise<CompiledRoute> {
  return compileRoute({ name: 'r', compare: cfg(input), hasSecondary }, configDir)
}

export function resp (body: unknown, headers: HeaderMap = {}, status = 200): CapturedResponse {
  let bytes: Uint8Array
  if (body instanceof Uint8Array) bytes = body
  else if (typeof body === 'string') bytes = Buffer.from(body)
  else {
    bytes = Buffer.from(JSON.stringify(body))
    headers = { 'content-type': 'application/json', ...headers }
  }
  return { status, headers, body: bytes, truncated: false, durationMs: 1 }
}

let seq = 0

export function exchange (primary: CapturedResponse, candidate: CapturedResponse, extra: Partial<Exchange> = {}): Exchange {
  return {
    id: `ex-${++seq}`,
    route: 'r',
    startedAt: Date.now(),
    request: { method: 'GET', path: '/x', headers: { authorization: 'Bearer secret', accept: '*/*' } },
    primary,
    candidate,
    ...extra,
  }
}

/** The engine's per-exchange path without the pool: precheck, worker pipeline, finalize (no noise). */
export async function compareDirect (ex: Exchange, input: CompareInput = {}, limits?: Partial<CompareLimits>): Promise<ComparisonResult> {
  const r = await route(input)
  const pre = precheck(ex, r.plan.maxBodySize)
  if (pre) return simpleResult(ex, pre.verdict, pre.reason)
  return finalize(ex, await runComparison(ex, r, { ...DEFAULT_COMPARE_LIMITS, ...limits }), undefined)
}
