/**
 * Comparison threads per worker of a --workers cluster: the cores left after one per
 * worker's event loop, shared evenly, and at least one (comparison must never run on the
 * loop that serves clients). On 8 cores, 2 workers get 3 threads each; on 2 cores, 1 each.
 */
export function compareThreadsPerWorker (cpus: number, workers: number): number {
  return Math.max(1, Math.floor((cpus - workers) / workers))
}
