/**
 * Live traffic split on one route: picks the serving upstream per request (SplitController,
 * sticky cohort or random), feeds the rollback guard with what each side did, and replays a
 * failed candidate request on the primary only when that cannot apply a change twice
 * (src/split/failover.ts). Installed on the route's RouteRuntime (`route.split`).
 */
import type { IncomingMessage } from 'node:http'
import { canRetryOnPrimary } from '../split/failover.js'
import type { SplitController } from '../split/controller.js'
import type { Forward, ForwardObserver } from './forward.js'
import type { RouteRuntime } from './route-runtime.js'
import type { UpstreamFailure } from '../http/failure.js'
import type { Upstream } from './upstreams.js'

export class SplitHook implements ForwardObserver {
  constructor (
    readonly controller: SplitController,
    /** The upstream that serves the candidate share (a client-serving pool). */
    readonly upstream: Upstream,
    private readonly route: RouteRuntime,
    /** Starts a fresh forward of the same request to the primary. */
    private readonly retryOnPrimary: (f: Forward) => void,
  ) {}

  /** The upstream that serves this request. */
  choose (req: IncomingMessage): Upstream {
    return this.controller.choose(req.headers) === 'candidate' ? this.upstream : this.route.primary
  }

  onForwardEnd (f: Forward): void {
    if (f.clientGone) return
    if (f.upstream === this.upstream) {
      this.controller.recordCandidate({ status: f.status, error: f.failure, durationMs: f.durationMs })
    } else if (f.failure === undefined) {
      this.controller.recordPrimary(f.durationMs, f.status)
    }
  }

  onForwardFailure (f: Forward, failure: UpstreamFailure): boolean {
    if (f.upstream !== this.upstream) return false
    if (!canRetryOnPrimary(f.req.method ?? 'GET', f.hasBody, failure, f.errorCode)) return false
    this.retryOnPrimary(f)
    return true
  }
}
