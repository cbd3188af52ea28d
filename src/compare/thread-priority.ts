/**
 * Lowers the scheduling priority of the calling thread only. On Linux the nice value is a
 * per-thread attribute and setpriority(PRIO_PROCESS, tid) changes just that thread (see
 * setpriority(2), "NOTES"); `/proc/thread-self` names the caller's tid. This must run
 * synchronously on the thread itself: an async fs call would read the link from a libuv pool
 * thread. Elsewhere (macOS, Windows, no /proc) it does nothing and says so.
 *
 * Why not a native binding such as @napi-rs/nice (what piscina's `niceIncrement` used): it would
 * be the project's only native dependency, for one system call.
 */
import { readlinkSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'

/** Comparisons are background work: on a busy machine the threads serving clients go first. */
export const COMPARE_THREAD_NICE = 10

/** Returns the thread id it reniced, or undefined when this platform has no per-thread nice. */
export function lowerThreadPriority (nice: number): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (!Number.isSafeInteger(tid) || tid <= 0) return undefined
    // Never raise a priority someone lowered further (e.g. the whole process under `nice 15`).
    if (getPriority(tid) < nice) setPriority(tid, nice)
    return tid
  } catch {
    return undefined
  }
}
