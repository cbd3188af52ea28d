/**
 * Live traffic split on one route, as the proxy sees it (a TrafficSplit hook): picks the
 * serving upstream per request (SplitController: sticky cohort or random), feeds the rollback
 * guard with what each side did, and sends a failed candidate request back to the primary only
 * when that cannot apply a change twice (failover.ts).
 */
import type { IncomingMessage } from 'node:http'
import type { FailedAttempt, ForwardOutcome } from '../proxy/outcome.js'
import type { TrafficSplit } from '../proxy/route-runtime.js'
import type { Upstream } from '../proxy/upstreams.js'
import type { SplitController } from './controller.js'
import { canRetryOnPrimary } from './failover.js'

export class SplitHook implements TrafficSplit {
  constructor (
    readonly controller: SplitController,
    /** The upstream that serves the candidate share (a client-serving pool). */
    readonly upstream: Upstream,
    private readonly primary: Upstream,
  ) {}

  /** The upstream that serves this request. */
  choose (req: IncomingMessage): Upstream {
    return this.controller.choose(req.headers) === 'candidate' ? this.upstream : this.primary
  }

  /** Only replayable requests reach a retry policy (src/proxy/retry.ts): no body was sent. */
  retryTarget (failed: FailedAttempt, method: string): Upstream | undefined {
    if (failed.upstream !== this.upstream) return undefined
    return canRetryOnPrimary(method, false, failed.failure, failed.errorCode) ? this.primary : undefined
  }

  onForwardEnd (o: ForwardOutcome): void {
    // A candidate attempt that failed over to the primary still counts against the candidate.
    for (let i = 0; i < o.retried.length; i++) {
      const a = o.retried[i]
      if (a.upstream === this.upstream) this.controller.recordCandidate({ status: 0, error: a.failure, durationMs: a.durationMs })
    }
    if (o.end === 'client_gone' || o.end === 'answered_by_proxy') return
    if (o.upstream === this.upstream) {
      this.controller.recordCandidate({ status: o.status, error: o.failure, durationMs: o.durationMs })
    } else if (o.failure === undefined) {
      this.controller.recordPrimary(o.durationMs, o.status)
    }
  }
}
