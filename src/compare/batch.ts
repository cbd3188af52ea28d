/**
 * A batch of exchanges on their way to one worker task, and the watchdog that holds each
 * exchange of a running batch to the per-comparison time limit.
 *
 * The worker writes its thread id and then 1 + the index of the exchange it is comparing into
 * `progress` (shared memory, no message, no wake-up). The watchdog samples it on a coarse
 * timer: an index that has not moved while its thread used `limitMs` of CPU means one
 * comparison has run that long, and the batch's task is cancelled (the pool then replaces the
 * thread, thread-pool.ts). CPU time, not wall time: comparison threads run at nice 10, so on a
 * machine busy serving clients a comparison may wait long for a core without being slow.
 * Where a thread's CPU time cannot be read (not Linux) wall time stands in. The same index
 * tells which exchange to blame, so the others of the batch are compared again instead of
 * sharing its verdict. Queueing and a fresh worker's start-up (module loading, seconds under a
 * TypeScript loader) never count as a slow comparison.
 */
import type { Exchange } from '../shadow/exchange.js'
import type { PoolJob } from './thread-pool.js'
import { PROGRESS_INDEX, PROGRESS_THREAD, type BatchResult, type WorkerBatch } from './task.js'
import type { ComparisonResult } from './types.js'
import { threadCpuMs } from './thread-cpu.js'

export interface Waiting {
  exchange: Exchange
  /** compare()'s promise; undefined for submit() (the result goes to onResult only). */
  resolve: ((r: ComparisonResult) => void) | undefined
  /** Set once the exchange was put back after another exchange's failure took its batch down. */
  retried: boolean
}

export class Batch {
  readonly items: Waiting[] = []
  /** [1 + index being compared (0: not started), thread id of the worker (0: unknown)]. */
  readonly progress = new Int32Array(new SharedArrayBuffer(8))
  /** The pool task carrying this batch, once it was handed to the pool. */
  job: PoolJob<WorkerBatch, BatchResult> | undefined
  timedOut = false
  private seen = 0
  private seenAt = 0
  /** Whether this batch is timed in thread CPU time; decided when its worker starts it. */
  private onCpu: boolean | undefined

  constructor (private readonly cpuMs: (tid: number) => number | undefined = threadCpuMs) {}

  /** 1 + index of the exchange being compared; 0 before the worker started the batch. */
  current (): number { return Atomics.load(this.progress, PROGRESS_INDEX) }

  /**
   * Watchdog tick (`now`: wall milliseconds): true, once, when the exchange being compared has
   * used `limitMs` of its thread's CPU time (wall time where that cannot be read).
   */
  check (now: number, limitMs: number): boolean {
    const cur = this.current()
    if (cur === 0) return false
    const clock = this.clock(now)
    if (cur !== this.seen) { this.seen = cur; this.seenAt = clock; return false }
    if (!this.timedOut && clock - this.seenAt >= limitMs) {
      this.timedOut = true
      return true
    }
    return false
  }

  private clock (now: number): number {
    if (this.onCpu === false) return now
    const cpu = this.cpuMs(Atomics.load(this.progress, PROGRESS_THREAD))
    // One clock per batch: a reading that fails later (the thread just died) must not mix
    // wall and CPU milliseconds; the pool reports a dead thread by itself.
    if (this.onCpu === undefined) this.onCpu = cpu !== undefined
    return this.onCpu ? cpu ?? this.seenAt : now
  }
}

/** How often the watchdog looks: often enough to keep the limit within ~25% of itself. */
export function watchdogPeriod (limitMs: number): number {
  return Math.max(10, Math.min(250, Math.floor(limitMs / 4)))
}
