/**
 * The bench's 2 KiB JSON pair as the comparison engine gets it, for the tools that time the
 * comparison without the proxy (compare-2k.ts, engine-rate.ts): the backends' bodies
 * (backends.ts `makeBody(2048, …)`: a candidate that differs only where the route normalizes)
 * and the bench config's compare settings (configs.ts `mirroredRoute`).
 */
import { compareSchema, type CompareConfig } from '../src/config/schema.js'
import type { CapturedResponse } from '../src/http/captured.js'
import type { Exchange } from '../src/shadow/exchange.js'
import { KiB, makeBody } from './backends.js'
import { mirroredRoute } from './configs.js'

/** The route's compare settings, as the bench's shadowfig config has them. */
export const PAIR_COMPARE: CompareConfig = compareSchema.parse(mirroredRoute('bench', '/', 'primary', 'candidate').compare)

const primaryBody = makeBody(2 * KiB, 'primary')
const candidateBody = makeBody(2 * KiB, 'candidate')

/** A captured JSON answer whose body owns its buffer, as a capture's does (http/owned-bytes.ts). */
function captured (body: Buffer): CapturedResponse {
  return { status: 200, headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, body: Uint8Array.from(body), truncated: false, durationMs: 1 }
}

/** One GET exchange of route `bench`; `same`: the candidate answers the primary's very bytes. */
export function pairExchange (id: string, same = false): Exchange {
  return {
    id,
    route: 'bench',
    startedAt: Date.now(),
    request: { method: 'GET', path: '/json/2048', headers: { host: '127.0.0.1', accept: '*/*' } },
    primary: captured(primaryBody),
    candidate: captured(same ? primaryBody : candidateBody),
  }
}
