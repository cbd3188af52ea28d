/**
 * Runs the real CLI as `--workers N` in a child process and follows its JSON log lines.
 * `events(name)` lists parsed lines with that `event`; `waitFor(name, n)` waits for the
 * n-th one. `close()` SIGKILLs the primary and every worker pid it logged (`workerPid`), if
 * still alive.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import { TS_LOADER, childEnv } from '../helpers/ts-loader.js'

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

export type LogLine = Record<string, unknown> & { event?: string }

export interface RunningCluster {
  child: ChildProcess
  lines: LogLine[]
  stderr (): string
  events (name: string): LogLine[]
  waitFor (name: string, n?: number, timeoutMs?: number): Promise<LogLine>
  exited (): Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  close (): Promise<void>
}

export function startCluster (args: string[], env: NodeJS.ProcessEnv = {}): RunningCluster {
  const child = spawn(process.execPath, [...TS_LOADER, CLI, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: LogLine[] = []
  let err = ''
  let buf = ''
  const waiters = new Set<() => void>()
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      try { lines.push(JSON.parse(line) as LogLine) } catch { lines.push({ raw: line }) }
    }
    for (const w of waiters) w()
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { err += chunk })
  const exit = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }))
  const events = (name: string): LogLine[] => lines.filter((l) => l.event === name)
  return {
    child,
    lines,
    stderr: () => err,
    events,
    exited: () => exit,
    waitFor: (name, n = 1, timeoutMs = 30_000) => new Promise((resolve, reject) => {
      const check = (): void => {
        const found = events(name)
        if (found.length >= n) { cleanup(); resolve(found[n - 1]) }
      }
      const timer = setTimeout(() => { cleanup(); reject(new Error(`no ${n}× ${name} within ${timeoutMs} ms; stderr: ${err}`)) }, timeoutMs)
      const cleanup = (): void => { clearTimeout(timer); waiters.delete(check); waiters.delete(onExit) }
      const onExit = (): void => { if (child.exitCode !== null) { cleanup(); reject(new Error(`exited ${child.exitCode} before ${name}; stderr: ${err}`)) } }
      waiters.add(check)
      check()
      void exit.then(() => { if (events(name).length < n) { cleanup(); reject(new Error(`exited before ${n}× ${name}; stderr: ${err}`)) } })
    }),
    close: async () => {
      const pids = lines.flatMap((l) => typeof l.workerPid === 'number' ? [l.workerPid] : [])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exit
      for (const pid of pids) { try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ } }
    },
  }
}

export interface Answer { status: number, body: string, headers: http.IncomingHttpHeaders }

/** One request on a fresh connection (no keep-alive), so cluster scheduling sees each one. */
export function request (url: string, opts: { method?: string, headers?: Record<string, string>, body?: string, agent?: http.Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent ?? false }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => { body += c }).on('end', () => resolve({ status: res.statusCode as number, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** Sum of a metric's samples in Prometheus text whose labels include `labels`. */
export function metricSum (text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null || m[1] !== name) continue
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum = (sum ?? 0) + Number(m[3])
  }
  return sum
}

/** The top of a cluster test's config: loopback ports 0, the admin token, info logs, the upstreams by URL. */
export function configHead (token: string, drainTimeout: string, upstreams: Record<string, string>): string {
  return [
    'listen: { host: 127.0.0.1, port: 0 }',
    `admin: { host: 127.0.0.1, port: 0, token: ${token} }`,
    `drainTimeout: ${drainTimeout}`,
    'logging: { level: info }',
    'upstreams:',
    ...Object.entries(upstreams).map(([name, url]) => `  ${name}: { url: ${url} }`),
    '',
  ].join('\n')
}
