/**
 * A batch of exchanges on their way to one worker task, and the watchdog that holds each
 * exchange of a running batch to the per-comparison time limit.
 *
 * The worker writes 1 + the index of the exchange it is comparing into `progress` (shared
 * memory, no message, no wake-up). The watchdog samples it on a coarse timer: an index that
 * has not moved for `limitMs` while set means one comparison has run that long, and the batch's
 * task is cancelled (the pool then replaces the thread, thread-pool.ts). The same index tells which exchange to
 * blame, so the others of the batch are compared again instead of sharing its verdict. The
 * limit thus starts when a worker picks the exchange up: queueing and a fresh worker's start-up
 * (module loading, seconds under a TypeScript loader) never count as a slow comparison.
 */
import type { Exchange } from '../shadow/exchange.js'
import type { BatchResult, WorkerBatch } from './worker.js'
import type { PoolJob } from './thread-pool.js'
import type { ComparisonResult } from './types.js'

export interface Waiting {
  exchange: Exchange
  /** compare()'s promise; undefined for submit() (the result goes to onResult only). */
  resolve: ((r: ComparisonResult) => void) | undefined
  /** Set once the exchange was put back after another exchange's failure took its batch down. */
  retried: boolean
}

export class Batch {
  readonly items: Waiting[] = []
  readonly progress = new Int32Array(new SharedArrayBuffer(4))
  /** The pool task carrying this batch, once it was handed to the pool. */
  job: PoolJob<WorkerBatch, BatchResult> | undefined
  timedOut = false
  private seen = 0
  private seenAt = 0

  /** 1 + index of the exchange being compared; 0 before the worker started the batch. */
  current (): number { return Atomics.load(this.progress, 0) }

  /** Watchdog tick: true (once) when one exchange has been running for `limitMs`. */
  check (now: number, limitMs: number): boolean {
    const cur = this.current()
    if (cur !== this.seen) { this.seen = cur; this.seenAt = now; return false }
    if (cur > 0 && !this.timedOut && now - this.seenAt >= limitMs) {
      this.timedOut = true
      return true
    }
    return false
  }
}

/** How often the watchdog looks: often enough to keep the limit within ~25% of itself. */
export function watchdogPeriod (limitMs: number): number {
  return Math.max(10, Math.min(250, Math.floor(limitMs / 4)))
}
