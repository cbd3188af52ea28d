/** Spawns the real CLI from source (`node <ts loader> src/cli.ts …`) and reads its output. */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { TS_LOADER, childEnv } from './ts-loader.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Cli {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
  /** Resolves with the first stdout+stderr line matching `re`. */
  waitFor (re: RegExp, ms?: number): Promise<RegExpMatchArray>
}

export function spawnCli (args: string[], env: NodeJS.ProcessEnv = {}): Cli {
  const child = spawn(process.execPath, [...TS_LOADER, 'src/cli.ts', ...args], {
    cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''; let err = ''
  const waiters: Array<{ re: RegExp, resolve: (m: RegExpMatchArray) => void }> = []
  const check = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const m = (out + err).match(waiters[i].re)
      if (m) { waiters[i].resolve(m); waiters.splice(i, 1) }
    }
  }
  child.stdout?.on('data', (c: Buffer) => { out += c.toString(); check() })
  child.stderr?.on('data', (c: Buffer) => { err += c.toString(); check() })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (re, ms = 20_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${out}\n${err}`)), ms)
      waiters.push({ re, resolve: (m) => { clearTimeout(timer); resolve(m) } })
      check()
      void exited.then(() => setTimeout(() => reject(new Error(`exited before ${re}:\n${out}\n${err}`)), 50))
    }),
  }
}
