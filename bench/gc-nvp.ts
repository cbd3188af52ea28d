/**
 * Parses V8's `--trace-gc-nvp` output (one `[pid:isolate] T ms: key=value …` line per GC) into
 * per-isolate sums (pure; used by gc-trace.ts). `gc=s` is a scavenge, `gc=mc`/`gc=ms` a
 * full mark-compact / mark-sweep.
 */

export interface IsolateGc { scavenges: number, pauseMs: number, survived: number, promoted: number, marks: number, markPauseMs: number }

/** Sums the `--trace-gc-nvp` lines of `text` per isolate address. */
export function summarizeNvp (text: string): Map<string, IsolateGc> {
  const out = new Map<string, IsolateGc>()
  for (const line of text.split('\n')) {
    const m = /^\[\d+:(0x[0-9a-f]+)\]\s+[\d.]+ ms: (.*)$/.exec(line)
    if (!m) continue
    const kv = new Map<string, string>()
    for (const pair of (m[2] as string).split(' ')) {
      const eq = pair.indexOf('=')
      if (eq > 0) kv.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    const kind = kv.get('gc')
    if (kind === undefined) continue
    let s = out.get(m[1] as string)
    if (!s) out.set(m[1] as string, s = { scavenges: 0, pauseMs: 0, survived: 0, promoted: 0, marks: 0, markPauseMs: 0 })
    const pause = Number(kv.get('pause') ?? 0)
    if (kind === 's') {
      s.scavenges++
      s.pauseMs += pause
      s.survived += Number(kv.get('new_space_survived') ?? 0)
      s.promoted += Number(kv.get('promoted') ?? 0)
    } else if (kind === 'mc' || kind === 'ms') {
      s.marks++
      s.markPauseMs += pause
    }
  }
  return out
}
