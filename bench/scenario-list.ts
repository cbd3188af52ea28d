/**
 * The scenario list and how the bench groups it (pure, tested): which scenarios exist, which
 * light ones share a rotation, which run back to back, which may run at real-time priority,
 * and the `--baseline` twins. Measuring them is scenarios.ts.
 */
import type { ScenarioDef } from './stats.js'
import { KiB, MiB } from './backends.js'

/**
 * `--baseline DIR`: beside every shadowfig scenario of a rotation, a twin that runs the build of
 * another checkout (`DIR/dist` or `DIR/src`), named `<scenario>@baseline`. Both builds then
 * answer slices of the same seconds, which is how to tell whether a change moved a p99 on a
 * machine whose run-to-run noise is larger than the change.
 */
export function withBaseline (list: ScenarioDef[], root: string): ScenarioDef[] {
  const rotated = new Set(latencyGroups(list).flat())
  return list.flatMap((d) => rotated.has(d) && d.peer === 'shadowfig'
    ? [d, { ...d, name: `${d.name}@baseline`, root, description: `${d.description} (baseline build)` }]
    : [d])
}

export function scenarioList (opts: { nginx: boolean, workers: boolean }): ScenarioDef[] {
  const lat = (name: string, description: string, shadow: ScenarioDef['shadow'], sizeBytes = 2 * KiB, rate = 1000): ScenarioDef =>
    ({ name, description, peer: 'shadowfig', shadow, sizeBytes, kind: 'latency', rate })
  const sat = (name: string, description: string, shadow: ScenarioDef['shadow'], workers = 1): ScenarioDef =>
    ({ name, description, peer: 'shadowfig', shadow, sizeBytes: 2 * KiB, kind: 'saturation', workers })
  const list: ScenarioDef[] = [
    lat('pass-2k', 'pass-through, no shadow route', 'none'),
    lat('mirror-2k', 'mirror + full comparison of every request', 'healthy'),
    // Diagnostic: the same mirroring with a status-only chain (no JSON decode or diff), to
    // split mirror-2k's overhead into "mirror and hand off" versus "compare the JSON".
    { ...lat('mirror-status-2k', 'mirror of every request, status-only comparison', 'healthy'), comparators: ['status'] },
    // Diagnostic: the candidate answers the primary's very bytes, as a faithful port does for
    // most requests; the comparison then decodes and normalizes one body instead of two.
    lat('mirror-same-2k', 'mirror + full comparison, the candidate answering the primary\'s very bytes', 'same'),
    { ...lat('mirror-after-2k', 'mirror + full comparison, the copy sent once the primary answered', 'healthy'), dispatch: 'after-primary' },
    lat('slow-candidate', 'mirror to a candidate answering after 2 s', 'slow'),
    lat('down-candidate', 'mirror to a candidate whose port refuses connections', 'down'),
    lat('large-100k', 'mirror + compare, 100 KiB bodies', 'healthy', 100 * KiB, 100),
    lat('large-1m', 'mirror + compare, 1 MiB bodies', 'healthy', MiB, 20),
    sat('saturation-pass', 'max throughput, pass-through, 1 worker', 'none'),
    sat('saturation-mirror', 'max throughput, mirror + compare, 1 worker', 'healthy'),
  ]
  if (opts.workers) {
    list.push(sat('saturation-pass-2w', 'max throughput, pass-through, 2 workers', 'none', 2))
    list.push(sat('saturation-mirror-2w', 'max throughput, mirror + compare, 2 workers', 'healthy', 2))
  }
  // The floor: a bare Node + undici proxy (floor-proxy.ts) at the same loads (in the same
  // rotation for latency), so shadowfig's cost splits into what Node's HTTP server and undici
  // take and what shadowfig adds; and its pass-through throughput is Node's ceiling for ours.
  for (const d of list.filter((s) => ['pass-2k', 'mirror-2k', 'saturation-pass', 'saturation-mirror'].includes(s.name))) {
    const what = d.shadow === 'none' ? 'pass-through' : 'copy to the candidate, answer read, no comparison'
    list.push({ ...d, name: `floor-${d.name}`, peer: 'floor', description: `bare Node + undici proxy: ${what}${d.kind === 'saturation' ? ', max throughput' : ''}` })
  }
  // Saturation alone says nothing of what was compared: a proxy that sheds comparisons can
  // reach any rate. At 80% of the floor's mirroring saturation, every request must still be
  // compared (its rate is only known once floor-saturation-mirror has run: see resolveRate).
  list.push({
    ...lat('mirror-80pct-floor', 'mirror + compare, open loop at 80% of floor-saturation-mirror\'s throughput: nothing may be shed', 'healthy'),
    rate: undefined,
    rateOf: { scenario: 'floor-saturation-mirror', share: 0.8 },
  })
  if (opts.nginx) {
    for (const d of list.filter((s) => ['pass-2k', 'mirror-2k', 'slow-candidate', 'saturation-mirror'].includes(s.name))) {
      // nginx holds each client request until its mirror subrequest ends: with a 2 s candidate
      // every run drains for tens of seconds, so that one runs once.
      const maxRepeats = d.shadow === 'slow' ? 1 : undefined
      list.push({ ...d, name: `nginx-${d.name}`, peer: 'nginx', maxRepeats, description: `nginx mirror module: ${d.description}`.replace('+ full comparison ', '').replace(' + compare', '') })
    }
  }
  return list
}

/**
 * An open loop at a fixed rate with small bodies (at most 4 MiB/s): its processes mostly sleep,
 * and its comparisons keep up as they come. Comparing 100 KiB bodies at 100 req/s is not light:
 * a half-second slice is 50 exchanges of ~7 ms CPU each, and in a rotation the direct p99 next
 * to them rose to 2.7-7 ms (~0.5 ms next to the 2 KiB peers).
 */
function light (def: ScenarioDef): boolean {
  // A rate not yet known (`rateOf`) is not light: such a scenario is measured alone.
  return def.kind === 'latency' && def.rate !== undefined && def.rate * def.sizeBytes <= 4 * MiB
}

/**
 * The scenario with its open-loop rate set: `rateOf.share` of the named scenario's proxied
 * throughput in `results` (rounded down to 50 req/s). A scenario without `rateOf` is returned
 * as it is; undefined when the scenario it depends on was not measured (the bench then skips
 * it, and a budget line on it fails as not measured).
 */
export function resolveRate (def: ScenarioDef, results: ReadonlyArray<{ name: string, proxy: { throughput: number } }>): ScenarioDef | undefined {
  if (!def.rateOf) return def
  const { scenario, share } = def.rateOf
  const measured = results.find((r) => r.name === scenario)?.proxy.throughput
  if (measured === undefined || !(measured > 0)) return undefined
  return { ...def, rate: Math.max(50, Math.floor(measured * share / 50) * 50) }
}

/**
 * Real-time priority only for light scenarios: a closed loop, or comparing 100 KiB bodies at
 * 100 req/s, at real-time priority takes whole cores from everything else on the box
 * (measured: the kernel's RT throttling kicked in and a large-body run died).
 */
export function rtFor (def: ScenarioDef, env: { rt: boolean }): boolean {
  return env.rt && light(def)
}

/**
 * The latency scenarios that are measured together, in one rotation (`runLatencyGroup`): light
 * ones of the same body size and rate, in the list's order. Not rotated, measured back to back
 * as before (`runScenario`, like the saturation runs), because their peer's work would run on
 * into other targets' slices, the direct run's included: large bodies (comparisons that take
 * longer than a slice's settling), a slow candidate (its answers, and the proxy's work on them,
 * arrive 2 s after their requests), and a scenario with fewer repeats.
 */
export function latencyGroups (list: ScenarioDef[]): ScenarioDef[][] {
  const groups = new Map<string, ScenarioDef[]>()
  for (const d of list) {
    if (!light(d) || d.maxRepeats !== undefined || d.shadow === 'slow') continue
    const key = `${d.sizeBytes}@${d.rate}`
    groups.set(key, [...(groups.get(key) ?? []), d])
  }
  return [...groups.values()]
}
