/**
 * The fault matrix's faults and the one shadowfig config that holds them all (pure): a route
 * `healthy` whose primary and candidate behave, and one route per fault, `/r/<fault>/…`, whose
 * candidate (or primary) is hostile. `none` is a second well-behaved route: the run without a
 * fault that every other is measured against.
 */
import { mirroredRoute } from '../configs.js'
import type { BackendSpec } from './servers.js'

/** Where a route's side points: the healthy backends, a refused port, or a backend of its own. */
export type Side = 'primary' | 'candidate' | 'refused' | BackendSpec

export interface FaultDef {
  name: string
  description: string
  primary: Side
  candidate: Side
}

export const FAULTS: readonly FaultDef[] = [
  { name: 'none', description: 'a second healthy route: the run without a fault', primary: 'primary', candidate: 'candidate' },
  { name: 'hang', description: 'candidate accepts and never answers', primary: 'primary', candidate: { fault: 'hang' } },
  { name: 'slow-5s', description: 'candidate answers after 5 s', primary: 'primary', candidate: { variant: 'candidate', latencyMs: 5000 } },
  { name: 'refused', description: 'candidate port refuses connections', primary: 'primary', candidate: 'refused' },
  { name: 'reset-mid-body', description: 'candidate resets the connection half-way through its body', primary: 'primary', candidate: { fault: 'reset' } },
  { name: 'garbage', description: 'candidate answers bytes that are not HTTP', primary: 'primary', candidate: { fault: 'garbage' } },
  { name: 'huge-declared', description: 'candidate declares and streams a 100 MiB body (content-length)', primary: 'primary', candidate: { fault: 'huge-declared' } },
  { name: 'huge-chunked', description: 'candidate streams a 100 MiB chunked body', primary: 'primary', candidate: { fault: 'huge-chunked' } },
  { name: 'primary-reset', description: 'primary resets half-way through its body (candidate healthy)', primary: { fault: 'reset' }, candidate: 'candidate' },
]

/** The faults named in `names` (every one when absent), `none` always first. */
export function chooseFaults (names?: string[]): FaultDef[] {
  const unknown = (names ?? []).filter((n) => !FAULTS.some((f) => f.name === n))
  if (unknown.length) throw new RangeError(`unknown fault ${unknown.join(', ')} (known: ${FAULTS.map((f) => f.name).join(', ')})`)
  return FAULTS.filter((f) => f.name === 'none' || !names || names.includes(f.name))
}

/** The backends of their own that `faults` need, each once, in order. */
export function ownBackends (faults: FaultDef[]): BackendSpec[] {
  const out: BackendSpec[] = []
  for (const f of faults) {
    for (const side of [f.primary, f.candidate]) {
      if (typeof side === 'object' && !out.some((s) => JSON.stringify(s) === JSON.stringify(side))) out.push(side)
    }
  }
  return out
}

/** Loopback ports of the healthy backends, the refused port and `ownBackends` (same order). */
export interface FaultPorts {
  primary: number
  candidate: number
  refused: number
  own: number[]
}

/** Path of a request on route `route` (the backends answer /r/<route>/json/<bytes>). */
export const routePath = (route: string, sizeBytes: number): string => `/r/${route}/json/${sizeBytes}`

export function faultConfig (faults: FaultDef[], ports: FaultPorts, port: number, adminPort: number, diffsFile: string): object {
  const specs = ownBackends(faults)
  const portOf = (side: Side): number => typeof side === 'object'
    ? ports.own[specs.findIndex((s) => JSON.stringify(s) === JSON.stringify(side))] as number
    : ports[side]
  const upstreams: Record<string, object> = {}
  const upstream = (name: string, side: Side): string => {
    upstreams[name] = { url: `http://127.0.0.1:${portOf(side)}`, connections: 128 }
    return name
  }
  const routes = [mirroredRoute('healthy', '/r/healthy', upstream('primary', 'primary'), upstream('candidate', 'candidate'))]
  for (const f of faults) {
    routes.push(mirroredRoute(f.name, `/r/${f.name}`, upstream(`${f.name}-primary`, f.primary), upstream(`${f.name}-candidate`, f.candidate)))
  }
  return {
    listen: { host: '127.0.0.1', port },
    admin: { host: '127.0.0.1', port: adminPort },
    logging: { level: 'error', diffs: diffsFile },
    upstreams,
    routes,
  }
}
