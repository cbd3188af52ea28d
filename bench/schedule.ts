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

/**
 * How one schedule is shared by several targets (the direct run and each peer of a scenario
 * group, bench/scenarios.ts): time is cut into slices of `sliceMs`, and the slices go to the
 * targets in turn, in reverse order every other round so that no target always follows the
 * same neighbour. A request is recorded only past the first `settleMs` of its slice: what the
 * previous target left running (a comparison batch, a slow candidate's sockets) settles first.
 * Sharing slices a second apart instead of running targets minutes apart is what makes their
 * p99s comparable on a shared machine whose speed drifts (bench/README.md, "How a run works").
 */
export interface Rotation {
  readonly targets: number
  readonly sliceMs: number
  readonly settleMs: number
}

/** The target of request `i`, and whether it falls past its slice's settling time. */
export function slotOf (s: Schedule, r: Rotation, i: number): { target: number, settled: boolean } {
  const offsetMs = offsetNs(s, i) / 1e6
  const slice = Math.floor(offsetMs / r.sliceMs)
  const round = Math.floor(slice / r.targets)
  const pos = slice % r.targets
  return { target: round % 2 === 0 ? pos : r.targets - 1 - pos, settled: offsetMs - slice * r.sliceMs >= r.settleMs }
}
