/**
 * Per mirror target (an upstream used as candidate or secondary) state that outlives config
 * reloads: the in-flight count bounded by `maxInFlight`, and the circuit breaker. Keeping it
 * across reloads means a reload can neither reset a tripped circuit nor forget in-flight load.
 * For the same reason the count of open mirror tickets (all routes) lives here too.
 */
import type { Upstream } from '../proxy/upstreams.js'
import { CircuitBreaker } from './circuit.js'

/** One mirror target of a route: the upstream, its role, and its shared state. */
export interface MirrorTarget {
  role: 'candidate' | 'secondary'
  upstream: Upstream
  state: TargetState
}

export class TargetState {
  inFlight = 0
  readonly breaker: CircuitBreaker

  constructor (failures: number, cooldownMs: number) {
    this.breaker = new CircuitBreaker(failures, cooldownMs)
  }
}

export class TargetStates {
  /** Mirrored exchanges begun and not yet submitted or abandoned, over all routes. */
  openTickets = 0
  /**
   * The last-resort memory guard over all routes: the sum of the shadow routes' `maxInFlight`
   * (set at each config load). Each route and each target is bounded by its own `maxInFlight`
   * first, so one bad candidate holds at most its own share and can never exhaust this one.
   */
  maxOpenTickets = Infinity
  private readonly byName = new Map<string, TargetState>()

  get (name: string, failures: number, cooldownMs: number): TargetState {
    let s = this.byName.get(name)
    if (s === undefined) { s = new TargetState(failures, cooldownMs); this.byName.set(name, s) } else s.breaker.configure(failures, cooldownMs)
    return s
  }
}
