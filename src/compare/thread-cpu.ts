/**
 * CPU time of one thread of this process, read from /proc (Linux). The comparison watchdog
 * (batch.ts) holds each comparison to its time limit in CPU time, not wall time: comparison
 * threads run at a low priority (nice 10, thread-priority.ts) and may wait for a core for as
 * long as the machine is busy serving clients, which is not the comparison's fault. A runaway
 * comparator burns CPU, so it is still caught.
 */
import { readFileSync } from 'node:fs'

/** Clock ticks per second of /proc's utime/stime; 100 on every Linux we run on. */
const CLK_TCK = 100

/** User + system milliseconds used so far by thread `tid` of this process; undefined if unknown. */
export function threadCpuMs (tid: number): number | undefined {
  if (!Number.isSafeInteger(tid) || tid <= 0) return undefined
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1')
    // The command name may hold spaces and parentheses: fields restart after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime are fields 14 and 15 of stat, i.e. indexes 11 and 12 after the name.
    return (Number(f[11]) + Number(f[12])) * (1000 / CLK_TCK)
  } catch {
    return undefined // not Linux, or the thread is gone
  }
}
