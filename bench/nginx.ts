/**
 * Optional peer: nginx with its `mirror` module in front of the same backends, one worker
 * process (like one shadowfig worker), keep-alive upstreams. nginx mirrors but does not
 * compare, so it is a floor for the cost of the mirroring alone. Used only when `nginx` is on
 * PATH; everything it writes (pid, logs, temp files) stays in a temp dir.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { closedPort } from './backends.js'
import { placed, stop, type Placement } from './proc.js'
import { plainPeer, type Target } from './targets.js'
import { nginxConfig, type ShadowMode, type Upstreams } from './configs.js'

export function nginxAvailable (): boolean {
  return spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0
}

export async function startNginx (shadow: ShadowMode, u: Upstreams, where: Placement = {}): Promise<Target> {
  const dir = mkdtempSync(path.join(tmpdir(), 'shadowfig-bench-nginx-'))
  const port = await closedPort()
  writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, port, shadow, u))
  const [cmd, argv] = placed(['nginx', '-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], where)
  const child = spawn(cmd, argv, { stdio: 'ignore' })
  const cleanup = async (): Promise<void> => { await stop(child, 5000); rmSync(dir, { recursive: true, force: true }) }
  return plainPeer('nginx', port, child, cleanup)
}
