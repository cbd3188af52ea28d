/**
 * Child processes and /proc accounting for the bench (Linux only).
 *  - `spawnNode` starts a TypeScript entry under `node --import tsx`, optionally pinned to a
 *    CPU list with `taskset -c` (generator, proxy and backends on separate cores) and/or
 *    reniced with `nice -n` (so a shared machine's other work disturbs the run less).
 *  - `runJson` runs an entry that prints one JSON line and exits, and returns that value.
 *  - `cpuSeconds` sums utime+stime of a process and its live descendants (cluster workers
 *    are children; worker threads are inside their process), `peakRssBytes` sums VmHWM, and
 *    `resetPeakRss` writes 5 to clear_refs so each measured run reports its own peak.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux we run on. */
const CLK_TCK = 100

/** Where a process runs: pinned to CPUs and/or at a scheduling priority. */
export interface Placement {
  /** CPU list for `taskset -c`, e.g. "0" or "0,1"; omitted: not pinned. */
  cpus?: string
  /** `nice -n` value; negative (higher priority) needs root. Omitted or 0: unchanged. */
  nice?: number
  /** Run under `chrt -f 10` (real-time FIFO, root): latency runs on a busy shared machine. */
  rt?: boolean
}

export interface SpawnOptions extends Placement {
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[]
  /** Where the child's stdout goes; 'pipe' to read it. */
  stdout?: 'pipe' | 'ignore' | 'inherit'
  env?: NodeJS.ProcessEnv
  /** Load tsx (default true); false for plain JavaScript such as dist/cli.js. */
  tsx?: boolean
}

/**
 * Node flags that write a CPU profile into `dir` at exit; none without a directory. A 250 µs
 * sampling interval (V8's default is 1 ms) so that profile-stalls.ts can see the client
 * thread's busy stretches of a millisecond or two.
 */
export function profilingArgs (dir: string | undefined): string[] {
  return dir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250']
}

/** `cmd` prefixed with `chrt -f 10`, `nice -n N` and `taskset -c CPUS` as `p` asks. */
export function placed (cmd: string[], p: Placement): [string, string[]] {
  const full = [...(p.rt ? ['chrt', '-f', '10'] : []), ...(p.nice ? ['nice', '-n', String(p.nice)] : []), ...(p.cpus ? ['taskset', '-c', p.cpus] : []), ...cmd]
  return [full[0] as string, full.slice(1)]
}

/** The command line that runs a bench or src TypeScript entry, placed as asked. */
export function nodeCommand (entry: string, args: string[], opts: SpawnOptions = {}): [string, string[]] {
  return placed([process.execPath, ...(opts.nodeArgs ?? []), ...(opts.tsx === false ? [] : ['--import', 'tsx']), entry, ...args], opts)
}

export function spawnNode (entry: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  const [cmd, argv] = nodeCommand(entry, args, opts)
  return spawn(cmd, argv, { stdio: ['ignore', opts.stdout ?? 'pipe', 'inherit'], env: opts.env ?? process.env })
}

/** Path of a file next to this one (entries are spawned by absolute path). */
export function benchFile (name: string): string {
  return fileURLToPath(new URL(name, import.meta.url))
}

/** Runs `entry` with one JSON argument and resolves with the JSON on its last stdout line. */
export function runJson<T> (entry: string, arg: unknown, opts: SpawnOptions = {}): Promise<T> {
  const child = spawnNode(entry, [JSON.stringify(arg)], { ...opts, stdout: 'pipe' })
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      const lines = out.trim().split('\n')
      const last = lines[lines.length - 1] as string
      // Exit code, or the signal when there is none (one of the two is always set).
      if (code !== 0) return reject(new Error(`${entry} exited with ${[code, signal].filter((x) => x !== null).join('')}: ${last}`))
      try { resolve(JSON.parse(last) as T) } catch { reject(new Error(`${entry} printed no JSON: ${last.slice(0, 200)}`)) }
    })
  })
}

/** Waits for `child` to print a line matching `re` on stdout; resolves with the match. */
export function waitForLine (child: ChildProcess, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = ''
    const onData = (d: Buffer): void => {
      buf += d.toString()
      const m = re.exec(buf)
      if (m) { child.stdout?.off('data', onData); resolve(m) }
    }
    child.stdout?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before printing ${re}`)))
  })
}

/** Sends SIGTERM and resolves when the process has exited (SIGKILL after `graceMs`). */
export function stop (child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => { clearTimeout(kill); resolve() })
    child.kill('SIGTERM')
  })
}

/** `pid` and every live descendant (found through the ppid field of /proc/<n>/stat). */
export function processTree (pid: number): number[] {
  const parent = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = readStat(Number(name))
    if (stat) parent.set(Number(name), Number(stat[1]))
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) {
    for (const [child, ppid] of parent) if (ppid === tree[i]) tree.push(child)
  }
  return tree
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, …]; undefined if gone. */
function readStat (pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may contain spaces and parentheses: split after the last ')'.
    return s.slice(s.lastIndexOf(')') + 2).split(' ')
  } catch { return undefined }
}

/** User + system CPU seconds consumed so far by `pid` and its live descendants. */
export function cpuSeconds (pid: number): number {
  let ticks = 0
  for (const p of processTree(pid)) {
    const f = readStat(p)
    // utime and stime are fields 14 and 15 of stat, i.e. indexes 11 and 12 after the name.
    if (f) ticks += Number(f[11]) + Number(f[12])
  }
  return ticks / CLK_TCK
}

/**
 * On-CPU seconds of every live thread of `pid` and its descendants, from schedstat (nanoseconds,
 * where stat counts 10 ms ticks): for short windows. Threads that exited are not counted.
 */
export function threadCpuSeconds (pid: number): number {
  let ns = 0
  for (const p of processTree(pid)) {
    try {
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        try { ns += Number(readFileSync(`/proc/${p}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) } catch { /* thread gone */ }
      }
    } catch { /* process gone */ }
  }
  return ns / 1e9
}

/** One thread's name and on-CPU nanoseconds so far. */
export interface ThreadTime { name: string, ns: number }

/** On-CPU nanoseconds of each thread of `pid`, by thread id, with its name. */
export function threadTimes (pid: number): Map<number, ThreadTime> {
  const out = new Map<number, ThreadTime>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
      // Node names neither its worker threads nor V8's helpers (all "node"): shadowfig's
      // comparison threads are the ones it renices (src/compare/thread-priority.ts).
      const name = Number(tid) === pid ? 'main (client thread)' : nice > 0 ? `${comm} at nice ${nice} (comparison threads)` : comm
      out.set(Number(tid), { name, ns })
    } catch { /* thread gone */ }
  }
  return out
}

/** User and system CPU seconds of process `pid` (its threads included), from /proc/<pid>/stat. */
export function userSystem (pid: number): { user: number, system: number } {
  const f = readStat(pid) ?? []
  return { user: Number(f[11]) / CLK_TCK, system: Number(f[12]) / CLK_TCK }
}

/** CPU ms per 1,000 requests by thread name, between two `threadTimes` samples. */
export function splitByName (before: Map<number, ThreadTime>, after: Map<number, ThreadTime>, requests: number): Array<[string, number]> {
  const byName = new Map<string, number>()
  for (const [tid, t] of after) {
    const ns = t.ns - (before.get(tid)?.ns ?? 0)
    byName.set(t.name, (byName.get(t.name) ?? 0) + ns)
  }
  return [...byName].map(([name, ns]): [string, number] => [name, ns / 1e6 / (requests / 1000)]).sort((a, b) => b[1] - a[1])
}

/** Sum of VmHWM (peak resident set) over `pid` and its live descendants, in bytes. */
export function peakRssBytes (pid: number): number {
  let kib = 0
  for (const p of processTree(pid)) {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))
      /* c8 ignore next: zombies (exited, not yet reaped) have no VmHWM line */
      if (m) kib += Number(m[1])
    } catch { /* exited between listing and reading */ }
  }
  return kib * 1024
}

/** Resets the peak-RSS watermark of `pid` and its descendants; false where not permitted. */
export function resetPeakRss (pid: number): boolean {
  let ok = true
  for (const p of processTree(pid)) {
    try { writeFileSync(`/proc/${p}/clear_refs`, '5') } catch { ok = false }
  }
  return ok
}

/** Current resident set (VmRSS) of `pid` alone, in bytes; 0 when it is gone. */
export function rssBytes (pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch { return 0 }
}

/** Open file descriptors of `pid` (entries of /proc/<pid>/fd); 0 when it is gone. */
export function openFds (pid: number): number {
  try { return readdirSync(`/proc/${pid}/fd`).length } catch { return 0 }
}
