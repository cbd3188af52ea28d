/**
 * Starts the floor peer (floor-proxy.ts): a bare Node + undici proxy on the same backends, so
 * the table shows what Node itself costs next to shadowfig and nginx.
 */
import { closedPort } from './backends.js'
import { benchFile, spawnNode, stop, type Placement } from './proc.js'
import { plainPeer, type Target } from './targets.js'
import type { Upstreams } from './configs.js'

/** `nodeArgs`: extra node flags (a profiler's), as shadowfig's peer takes them. */
export async function startFloor (shadow: 'none' | 'healthy', u: Upstreams, where: Placement = {}, nodeArgs: string[] = []): Promise<Target> {
  const port = await closedPort()
  const args = [String(port), String(u.primary), ...(shadow === 'healthy' ? [String(u.candidate)] : [])]
  const child = spawnNode(benchFile('floor-proxy.ts'), args, { ...where, nodeArgs, stdout: 'ignore' })
  const cleanup = (): Promise<void> => stop(child, 5000)
  return plainPeer('node floor', port, child, cleanup)
}
