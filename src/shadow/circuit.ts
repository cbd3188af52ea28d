/**
 * Circuit breaker per mirror target: after `failures` consecutive transport failures
 * (connect, timeout, reset, protocol) or answers cut at the capture limit, mirroring to that
 * target stops for `cooldownMs`; then
 * exactly one probe is let through; its success closes the circuit, its failure re-opens it.
 * 5xx answers are not failures here: they are data the comparison reports as candidate_error.
 */
export type CircuitState = 'closed' | 'open' | 'half-open'

export class CircuitBreaker {
  private consecutive = 0
  private openedAt = 0
  private probing = false
  state: CircuitState = 'closed'

  constructor (
    private failuresToOpen: number,
    private cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** New thresholds from a reloaded config; the current state is kept. */
  configure (failuresToOpen: number, cooldownMs: number): void {
    this.failuresToOpen = failuresToOpen
    this.cooldownMs = cooldownMs
  }

  /** May a request go out now? In half-open state, only one probe at a time. */
  allow (): boolean {
    if (this.state === 'closed') return true
    if (this.state === 'open') {
      if (this.now() - this.openedAt < this.cooldownMs) return false
      this.state = 'half-open'
      this.probing = false
    }
    if (this.probing) return false
    this.probing = true
    return true
  }

  success (): void {
    this.consecutive = 0
    this.probing = false
    this.state = 'closed'
  }

  failure (): void {
    this.probing = false
    this.consecutive++
    if (this.state === 'half-open' || this.consecutive >= this.failuresToOpen) {
      this.state = 'open'
      this.openedAt = this.now()
    }
  }

  /** A probe that was allowed but never sent (e.g. the request was abandoned). */
  release (): void {
    this.probing = false
  }
}
