/**
 * Bounded store of example exchanges for non-match verdicts, grouped by (route, signature).
 *
 * Invariants:
 *  - at most `perGroup` samples per group (the latest win);
 *  - samples older than `ttlMs` are gone (swept on every add and read);
 *  - estimated bytes (UTF-8 length of the serialized sample) stay under `maxBytes`: when over,
 *    the oldest sample of the *largest* group (by bytes) goes first, so a flood of one bug
 *    cannot evict the single example of a rare one;
 *  - at most `maxGroups` groups: when a new signature would exceed it, the group updated
 *    least recently is dropped (this also bounds the work of the largest-group scan);
 *  - one sample larger than `maxSampleBytes` is kept without its bodies (`bodiesOmitted`),
 *    so a huge response cannot push everything else out.
 * Samples are stored already redacted; the store never sees secrets.
 */
import type { FieldDiff, ForgivenField, Verdict } from '../compare/types.js'
import type { HeaderMap } from '../http/headers.js'

export interface Sample {
  /** The exchange id (`x-shadowfig-request-id`). */
  id: string
  route: string
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
  bodiesOmitted?: boolean
  traceId?: string
}

export interface SampleStoreOptions {
  perGroup?: number
  ttlMs?: number
  maxBytes?: number
  maxSampleBytes?: number
  maxGroups?: number
  /** Clock in epoch ms (tests). */
  now?: () => number
}

interface Entry { sample: Sample, bytes: number, storedAt: number }
interface Group { key: string, entries: Entry[], bytes: number }

export interface SampleGroupInfo { route: string, signature: string, ids: string[] }

export class SampleStore {
  readonly perGroup: number
  readonly ttlMs: number
  readonly maxBytes: number
  readonly maxSampleBytes: number
  readonly maxGroups: number
  private readonly now: () => number
  /** Insertion order = least recently updated first (a group is re-inserted on update). */
  private readonly groups = new Map<string, Group>()
  private readonly byId = new Map<string, Entry>()
  private totalBytes = 0

  constructor (opts: SampleStoreOptions = {}) {
    this.perGroup = opts.perGroup ?? 5
    this.ttlMs = opts.ttlMs ?? 30 * 60_000
    this.maxBytes = opts.maxBytes ?? 32 * 1024 * 1024
    this.maxSampleBytes = opts.maxSampleBytes ?? Math.floor(this.maxBytes / 16)
    this.maxGroups = opts.maxGroups ?? 1000
    this.now = opts.now ?? Date.now
  }

  get bytes (): number { return this.totalBytes }
  get size (): number { return this.byId.size }

  /**
   * Stores a sample; returns false when even its body-less form exceeds `maxBytes`, or when it
   * cannot be serialized (a custom comparator's BigInt): storing must never throw at the caller.
   */
  add (sample: Sample): boolean {
    this.expire()
    let bytes = estimateBytes(sample)
    if (bytes === undefined) return false
    if (bytes > this.maxSampleBytes && sample.bodies !== undefined) {
      sample = { ...sample, bodies: undefined, bodiesOmitted: true }
      bytes = estimateBytes(sample) as number
    }
    if (bytes > this.maxBytes) return false
    const old = this.byId.get(sample.id)
    if (old) this.removeEntry(old)

    const key = `${sample.route}\u0000${sample.signature}`
    let group = this.groups.get(key)
    if (group) this.groups.delete(key)
    else group = { key, entries: [], bytes: 0 }
    this.groups.set(key, group)
    const entry: Entry = { sample, bytes, storedAt: this.now() }
    group.entries.push(entry)
    group.bytes += bytes
    this.byId.set(sample.id, entry)
    this.totalBytes += bytes

    if (group.entries.length > this.perGroup) this.removeEntry(group.entries[0])
    while (this.groups.size > this.maxGroups) this.dropGroup(this.groups.values().next().value as Group)
    while (this.totalBytes > this.maxBytes) this.removeEntry(this.largestGroup().entries[0])
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
      for (const e of g.entries) if (route === undefined || e.sample.route === route) out.push(e.sample)
    }
    return out.sort((a, b) => b.time - a.time)
  }

  /** Sample ids per (route, signature), newest id first. */
  groupsOf (route?: string): SampleGroupInfo[] {
    this.expire()
    const out: SampleGroupInfo[] = []
    for (const g of this.groups.values()) {
      const first = g.entries[0].sample
      if (route !== undefined && first.route !== route) continue
      out.push({ route: first.route, signature: first.signature, ids: g.entries.map((e) => e.sample.id).reverse() })
    }
    return out
  }

  clear (): void {
    this.groups.clear()
    this.byId.clear()
    this.totalBytes = 0
  }

  private expire (): void {
    const cutoff = this.now() - this.ttlMs
    for (const g of this.groups.values()) {
      // Entries are in storage order, so the expired ones are a prefix.
      while (g.entries.length > 0 && g.entries[0].storedAt <= cutoff) this.removeEntry(g.entries[0])
    }
  }

  private largestGroup (): Group {
    let best: Group | undefined
    for (const g of this.groups.values()) if (best === undefined || g.bytes > best.bytes) best = g
    return best as Group
  }

  private dropGroup (g: Group): void {
    while (g.entries.length > 0) this.removeEntry(g.entries[0])
  }

  private removeEntry (entry: Entry): void {
    const s = entry.sample
    const key = `${s.route}\u0000${s.signature}`
    const g = this.groups.get(key) as Group
    g.entries.splice(g.entries.indexOf(entry), 1)
    g.bytes -= entry.bytes
    if (g.entries.length === 0) this.groups.delete(key)
    this.byId.delete(s.id)
    this.totalBytes -= entry.bytes
  }
}

function estimateBytes (sample: Sample): number | undefined {
  try {
    return Buffer.byteLength(JSON.stringify(sample))
  } catch {
    return undefined
  }
}
