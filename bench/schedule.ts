/**
 * Open-loop schedule math (pure, no I/O). Request `i` is due at `start + ceil(i * 1e9 / rate)`
 * nanoseconds, whatever happened to earlier requests: the generator never waits for a response
 * before sending the next one, and latency is measured from this scheduled instant, so a
 * stalled server is charged for every request it delayed (no coordinated omission).
 *
 * Offsets are relative nanoseconds held in doubles: exact below 2^53 ns (104 days), so the
 * `ceil` definition keeps `dueCount` and `offsetNs` consistent at every boundary we can hit.
 */

export interface Schedule {
  /** Requests per second. */
  readonly rate: number
  /** Total requests in the schedule (warm-up included). */
  readonly total: number
  /** Index of the first request whose latency is recorded (the ones before warm the path). */
  readonly recordFrom: number
}

export function makeSchedule (rate: number, durationMs: number, warmupMs = 0): Schedule {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be a positive number, got ${rate}`)
  if (!(durationMs > 0)) throw new RangeError(`durationMs must be positive, got ${durationMs}`)
  if (!(warmupMs >= 0)) throw new RangeError(`warmupMs must be >= 0, got ${warmupMs}`)
  const recordFrom = Math.floor(warmupMs * rate / 1000)
  return { rate, recordFrom, total: recordFrom + Math.floor(durationMs * rate / 1000) }
}

/** Nanoseconds from the schedule's start to request `i`'s send time. */
export function offsetNs (s: Schedule, i: number): number {
  return Math.ceil(i * 1e9 / s.rate)
}

/** How many requests are due (scheduled at or before `elapsedNs`), capped at the total. */
export function dueCount (s: Schedule, elapsedNs: number): number {
  if (elapsedNs < 0) return 0
  return Math.min(s.total, Math.floor(elapsedNs * s.rate / 1e9) + 1)
}
