/**
 * Bounded store of example exchanges for non-match verdicts, grouped by (route, signature).
 *
 * Retention per group (what a user can count on, stated by `retention()`):
 *  - the first sample ever seen of the signature, and the latest, are kept;
 *  - in between, a reservoir of `perGroup - 2` samples drawn uniformly at random from all the
 *    samples that came between first and latest (reservoir sampling), so a long-running bug
 *    keeps examples from across its life, not only the last minutes;
 *  - no age limit unless `ttlMs` is given (tests, or a caller who wants one).
 * Bounds on the whole store:
 *  - estimated bytes (UTF-8 length of the serialized sample) stay under `maxBytes`: when over,
 *    the *largest* group (by bytes) gives up a sample, reservoir first, then its latest, its
 *    first seen last, so a flood of one bug cannot evict the single example of a rare one;
 *  - at most `maxGroups` groups: when a new signature would exceed it, the group updated
 *    least recently is dropped (this also bounds the work of the largest-group scan);
 *  - one sample larger than `maxSampleBytes` is kept without its bodies, normalized and raw
 *    (`bodiesOmitted`); the raw bodies count in a sample's bytes like everything else,
 *    so a huge response cannot push everything else out.
 * `configure` changes `perGroup` and `maxBytes` in place (config reload), trimming to fit.
 * Samples are stored already redacted; the store never sees secrets.
 */
import type { FieldDiff, ForgivenField, RawBody, Verdict } from '../compare/types.js'
import type { HeaderMap } from '../http/headers.js'

export interface Sample {
  /** The exchange id (`x-shadowfig-request-id`). */
  id: string
  route: string
  /** The route's endpoint the request falls in (method + path template, endpoints.ts). */
  endpoint?: string
  signature: string
  verdict: Verdict
  reason?: string
  /** Epoch ms when the client request arrived. */
  time: number
  request: { method: string, path: string, headers: HeaderMap }
  status: { primary: number, candidate: number, secondary?: number }
  durationMs: { primary: number, candidate: number, secondary?: number }
  fields: FieldDiff[]
  /** Differences a custom comparator forgave: shown as forgiven, never as failures. */
  forgiven?: ForgivenField[]
  noise: string[]
  /** Normalized, redacted bodies; absent when not JSON or omitted for size. */
  bodies?: { primary: unknown, candidate: unknown }
  /** Raw bodies as the services sent them (decoded, redacted, capped: src/compare/raw-body.ts); mismatches and noise only. */
  raw?: { primary: RawBody, candidate: RawBody }
  bodiesOmitted?: boolean
  traceId?: string
}

export interface SampleStoreOptions {
  /** Samples kept per signature, at least 2: first seen, latest, and a reservoir of the rest. */
  perGroup?: number
  /** Age limit in ms; none by default. */
  ttlMs?: number
  maxBytes?: number
  maxSampleBytes?: number
  maxGroups?: number
  /** Clock in epoch ms (tests). */
  now?: () => number
  /** Uniform [0, 1) for the reservoir draw (tests). */
  random?: () => number
}

interface Entry { sample: Sample, bytes: number, storedAt: number }
interface Group {
  key: string
  first?: Entry
  latest?: Entry
  /** The reservoir: samples drawn from those between first and latest. */
  middle: Entry[]
  /** Samples that have passed through the middle (reservoir sampling's n). */
  passed: number
  bytes: number
}

export interface SampleGroupInfo { route: string, signature: string, ids: string[] }

const entriesOf = (g: Group): Entry[] => [g.first, ...g.middle, g.latest].filter((e): e is Entry => e !== undefined)

export class SampleStore {
  perGroup: number
  readonly ttlMs: number | undefined
  maxBytes: number
  maxSampleBytes: number
  readonly maxGroups: number
  private readonly now: () => number
  private readonly random: () => number
  /** Insertion order = least recently updated first (a group is re-inserted on update). */
  private readonly groups = new Map<string, Group>()
  private readonly byId = new Map<string, Entry>()
  private totalBytes = 0
  private changeCount = 0

  constructor (opts: SampleStoreOptions = {}) {
    this.perGroup = Math.max(2, opts.perGroup ?? 5)
    this.ttlMs = opts.ttlMs
    this.maxBytes = opts.maxBytes ?? 32 * 1024 * 1024
    this.maxSampleBytes = opts.maxSampleBytes ?? Math.floor(this.maxBytes / 16)
    this.maxGroups = opts.maxGroups ?? 1000
    this.now = opts.now ?? Date.now
    this.random = opts.random ?? Math.random
  }

  get bytes (): number { return this.totalBytes }
  get size (): number { return this.byId.size }
  /** Moves on every stored or dropped sample (report.store writes only after a change). */
  get changes (): number { return this.changeCount }

  /** New limits (config reload): groups and the store shrink to fit at once. */
  configure (opts: { perGroup: number, maxBytes: number }): void {
    this.perGroup = Math.max(2, opts.perGroup)
    this.maxBytes = opts.maxBytes
    this.maxSampleBytes = Math.floor(opts.maxBytes / 16)
    for (const g of this.groups.values()) while (g.middle.length > this.perGroup - 2) this.removeEntry(g.middle[0])
    this.fit()
  }

  /** The retention rule in words, for the page a link to an evicted sample opens. */
  retention (): string {
    const mib = Math.round(this.maxBytes / 1048576 * 10) / 10
    return `Per signature the first sample seen and the latest are kept, with ${this.perGroup - 2} more drawn at random from those in between; ` +
      `all samples share ${mib} MiB (report.samples.maxBytes), and when that fills up the signature using the most gives up a sample first` +
      `${this.ttlMs === undefined ? '' : `; samples older than ${Math.round(this.ttlMs / 60_000)} min are dropped`}.`
  }

  /**
   * Stores a sample; returns false when even its body-less form exceeds `maxBytes`, or when it
   * cannot be serialized (a custom comparator's BigInt): storing must never throw at the caller.
   */
  add (sample: Sample): boolean {
    this.expire()
    let bytes = estimateBytes(sample)
    if (bytes === undefined) return false
    if (bytes > this.maxSampleBytes && (sample.bodies !== undefined || sample.raw !== undefined)) {
      sample = { ...sample, bodies: undefined, raw: undefined, bodiesOmitted: true }
      bytes = estimateBytes(sample) as number
    }
    if (bytes > this.maxBytes) return false
    const old = this.byId.get(sample.id)
    if (old) this.removeEntry(old)

    const key = `${sample.route}\u0000${sample.signature}`
    let group = this.groups.get(key)
    if (group) this.groups.delete(key)
    else group = { key, middle: [], passed: 0, bytes: 0 }
    this.groups.set(key, group)
    const entry: Entry = { sample, bytes, storedAt: this.now() }
    this.track(group, entry)
    if (group.first === undefined && group.latest === undefined) group.first = entry
    else {
      const demoted = group.latest
      group.latest = entry
      if (demoted !== undefined) this.draw(group, demoted)
    }
    while (this.groups.size > this.maxGroups) this.dropGroup(this.groups.values().next().value as Group)
    this.fit()
    return true
  }

  get (id: string): Sample | undefined {
    this.expire()
    return this.byId.get(id)?.sample
  }

  /** Samples, newest first, optionally of one route. */
  list (route?: string): Sample[] {
    this.expire()
    const out: Sample[] = []
    for (const g of this.groups.values()) {
      for (const e of entriesOf(g)) if (route === undefined || e.sample.route === route) out.push(e.sample)
    }
    return out.sort((a, b) => b.time - a.time)
  }

  /** Sample ids per (route, signature), newest id first. */
  groupsOf (route?: string): SampleGroupInfo[] {
    this.expire()
    const out: SampleGroupInfo[] = []
    for (const g of this.groups.values()) {
      const entries = entriesOf(g).sort((a, b) => b.storedAt - a.storedAt || b.sample.time - a.sample.time)
      const first = entries[0].sample
      if (route !== undefined && first.route !== route) continue
      out.push({ route: first.route, signature: first.signature, ids: entries.map((e) => e.sample.id) })
    }
    return out
  }

  clear (): void {
    this.changeCount++
    this.groups.clear()
    this.byId.clear()
    this.totalBytes = 0
  }

  /** The previous latest leaves for the reservoir: kept with probability slots / passed. */
  private draw (g: Group, demoted: Entry): void {
    g.passed++
    const slots = this.perGroup - 2
    const j = g.middle.length < slots ? g.middle.length : Math.floor(this.random() * g.passed)
    if (j >= slots) return this.untrack(g, demoted)
    if (j < g.middle.length) this.removeEntry(g.middle[j])
    g.middle.push(demoted)
  }

  private track (g: Group, e: Entry): void {
    this.changeCount++
    g.bytes += e.bytes
    this.byId.set(e.sample.id, e)
    this.totalBytes += e.bytes
  }

  private untrack (g: Group, e: Entry): void {
    this.changeCount++
    g.bytes -= e.bytes
    this.byId.delete(e.sample.id)
    this.totalBytes -= e.bytes
  }

  private fit (): void {
    while (this.totalBytes > this.maxBytes) {
      const g = this.largestGroup()
      this.removeEntry(g.middle[0] ?? g.latest ?? g.first as Entry)
    }
  }

  private expire (): void {
    if (this.ttlMs === undefined) return
    const cutoff = this.now() - this.ttlMs
    for (const g of this.groups.values()) {
      for (const e of entriesOf(g)) if (e.storedAt <= cutoff) this.removeEntry(e)
    }
  }

  private largestGroup (): Group {
    let best: Group | undefined
    for (const g of this.groups.values()) if (best === undefined || g.bytes > best.bytes) best = g
    return best as Group
  }

  private dropGroup (g: Group): void {
    for (const e of entriesOf(g)) this.removeEntry(e)
  }

  private removeEntry (entry: Entry): void {
    const s = entry.sample
    const key = `${s.route}\u0000${s.signature}`
    const g = this.groups.get(key) as Group
    if (g.first === entry) g.first = undefined
    else if (g.latest === entry) g.latest = undefined
    else g.middle.splice(g.middle.indexOf(entry), 1)
    this.untrack(g, entry)
    if (g.first === undefined && g.latest === undefined && g.middle.length === 0) this.groups.delete(key)
  }
}

function estimateBytes (sample: Sample): number | undefined {
  try {
    return Buffer.byteLength(JSON.stringify(sample))
  } catch {
    return undefined
  }
}
