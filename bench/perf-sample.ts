/**
 * On-CPU sampling with Linux `perf` (the linux-perf package), for thread-split.ts `--perf`.
 * Unlike V8's profiler (`--cpu-prof`), which samples wall time while a thread is in
 * JavaScript, `perf record -e cpu-clock` samples only while a thread runs on a CPU, and sees
 * what V8's profile lumps together: the kernel (syscalls, scheduling), libc, and V8's own C++
 * (structured clone's serializer, the string table, the GC). Peers started with
 * PERF_NODE_ARGS write a symbol map of their JIT code (/tmp/perf-PID.map), so JavaScript
 * functions are named too.
 */
import { execFileSync, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'

/** Node flags of a peer to be sampled: name JIT-compiled functions for perf. */
export const PERF_NODE_ARGS = ['--perf-basic-prof']

/** Samples per second and thread; each sample stands for 1e6 / HZ µs of CPU. */
export const PERF_HZ = 4000

/** Records `pid`'s threads for `seconds` into `file`; resolves when perf has written it. */
export function recordPerf (pid: number, seconds: number, file: string): Promise<void> {
  const child = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', String(PERF_HZ), '-p', String(pid), '-o', file, '--', 'sleep', String(seconds)], { stdio: ['ignore', 'ignore', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`perf could not start (is linux-perf installed?): ${err.message}`)))
    child.once('close', (code) => { if (code === 0) resolve(); else reject(new Error(`perf record exited with ${code}`)) })
  })
}

/**
 * Samples per thread group and symbol: `groupOf` names a thread id's group (thread-split's
 * names); threads it does not know are left out.
 */
export function perfSymbols (file: string, groupOf: (tid: number) => string | undefined): Map<string, Map<string, number>> {
  const report = execFileSync('perf', ['report', '-i', file, '--stdio', '-n', '--no-children', '--sort', 'pid,sym', '-g', 'none', '--field-separator=\t'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] })
  return parsePerfReport(report, groupOf)
}

/** `perf report --sort pid,sym -n --field-separator=TAB` text, summed per thread group and symbol. */
export function parsePerfReport (report: string, groupOf: (tid: number) => string | undefined): Map<string, Map<string, number>> {
  const groups = new Map<string, Map<string, number>>()
  for (const line of report.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue
    // "  1.90%\t218\t  31182:node\t[.] JS:wasm-function[20]-20-turbofan"
    const [, samples, thread, symbol] = line.split('\t').map((f) => f.trim())
    const group = groupOf(Number.parseInt(thread ?? '', 10))
    if (group === undefined || symbol === undefined) continue
    let m = groups.get(group)
    if (m === undefined) groups.set(group, m = new Map())
    m.set(symbol, (m.get(symbol) ?? 0) + Number(samples))
  }
  return groups
}

/** The JIT symbol map a PERF_NODE_ARGS peer left behind (it grows with every compiled function). */
export function removePerfMap (pid: number): void {
  rmSync(`/tmp/perf-${pid}.map`, { force: true })
}
