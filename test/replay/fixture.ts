/**
 * Record→replay fixture: a real primary and candidate (node:http, port 0), a config for them,
 * and `recordTraffic` which does what the proxy's shadow side does for each request (send to
 * both, build the Exchange, compare with the real engine) and feeds the CaptureWriter.
 */
import { rm, writeFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { parse } from 'yaml'
import { configSchema, type Config } from '../../src/config/schema.js'
import { createCompareEngine, type CompareEngine } from '../../src/compare/engine.js'
import type { Verdict } from '../../src/compare/types.js'
import { CaptureWriter } from '../../src/record/capture.js'
import { routeSpecs } from '../../src/replay/runner.js'
import { send } from '../../src/replay/send.js'
import type { Exchange } from '../../src/shadow/exchange.js'
import { startServer, tempDir, type Closer } from '../record/helpers.js'

/** What the candidate gets wrong; tests flip these between record and replay. */
/** `nonce`: both services add a field that is new on every call (noise, not a bug). */
export interface Bugs { totalFor?: string, errorFor?: string, nonce?: boolean }

let calls = 0

function order (id: string, total: number, nonce: boolean): string {
  return JSON.stringify({ id, total, currency: 'EUR', generated_at: new Date().toISOString(), card: { number: '4111111111111111' }, ...(nonce && { nonce: ++calls }) })
}

export interface Fixture {
  config: Config
  configFile: string
  dir: string
  capture: string
  bugs: Bugs
  /** Requests seen by the candidate: method, url, headers. */
  seen: Array<{ method: string, url: string, headers: IncomingMessage['headers'] }>
  engine: CompareEngine
  /** Forget bugs, seen requests and the capture, so one fixture (one worker pool) serves many tests. */
  reset (): Promise<void>
}

export async function fixture (t: Closer): Promise<Fixture> {
  const bugs: Bugs = {}
  const seen: Fixture['seen'] = []
  const handler = (role: 'primary' | 'candidate') => (req: IncomingMessage, res: ServerResponse): void => {
    const id = /\/orders\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? 'none'
    if (role === 'candidate') seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    req.resume()
    if (role === 'candidate' && bugs.errorFor === id) { res.statusCode = 503; res.end('down'); return }
    res.setHeader('content-type', 'application/json')
    res.end(order(id, role === 'candidate' && bugs.totalFor === id ? 99.5 : 100, bugs.nonce === true))
  }
  const primary = await startServer(t, handler('primary'))
  const candidate = await startServer(t, handler('candidate'))
  const dir = await tempDir(t, 'shadowfig-replay-')
  const capture = join(dir, 'capture.ndjson')
  const yamlText = [
    `upstreams: { monolith: { url: "${primary}", timeout: 2s }, orders-svc: { url: "${candidate}/svc", timeout: 2s } }`,
    'routes:',
    '  - name: order-by-id',
    '    match: { path: /api/orders/:id }',
    '    primary: monolith',
    '    shadow: { candidate: orders-svc, rewrite: { path: { from: ^/api, to: "" }, headers: { set: { x-env: shadow } } } }',
    '    compare: { ignore: [$.generated_at], redact: [$.card.number] }',
    `    record: { mismatches: true, sample: 100%, file: "${capture}" }`,
    '  - { name: plain, match: { pathPrefix: /plain }, primary: monolith }',
  ].join('\n') + '\n'
  const configFile = join(dir, 'shadowfig.yaml')
  await writeFile(configFile, yamlText)
  const config = configSchema.parse(parse(yamlText))
  // at-once: recordTraffic writes what the proxy would have recorded, verdict by verdict.
  const engine = createCompareEngine({ threads: 1, decide: 'at-once' })
  t.teardown(() => engine.close())
  await engine.setRoutes(routeSpecs(config), dir)
  const reset = async (): Promise<void> => {
    delete bugs.totalFor
    delete bugs.errorFor
    delete bugs.nonce
    seen.length = 0
    await rm(capture, { force: true })
  }
  return { config, configFile, dir, capture, bugs, seen, engine, reset }
}

/** Sends each request like the proxy would and records it; returns the verdicts by id. */
export async function recordTraffic (f: Fixture, requests: Array<{ id: string, method?: string, path: string, headers?: Record<string, string>, body?: string }>): Promise<Map<string, Verdict>> {
  const route = f.config.routes[0]
  if (!route.record || !route.shadow) throw new Error('fixture route has no record/shadow')
  const writer = new CaptureWriter({ route: route.name, record: route.record, redact: route.compare.redact })
  const verdicts = new Map<string, Verdict>()
  const up = f.config.upstreams
  for (const r of requests) {
    const req = { method: r.method ?? 'GET', path: r.path, headers: { accept: 'application/json', ...r.headers } }
    const opts = { timeout: 2000, maxBodySize: route.compare.maxBodySize }
    const [primary, candidate] = await Promise.all([
      send(up[route.primary].url, req, opts),
      send(up[route.shadow.candidate].url, { ...req, path: req.path.replace(/^\/api/, '') }, opts),
    ])
    const exchange: Exchange = { id: r.id, route: route.name, startedAt: Date.now(), request: req, primary, candidate }
    const result = await f.engine.compare(exchange)
    verdicts.set(r.id, result.verdict)
    writer.consider(exchange, result)
  }
  await writer.close()
  return verdicts
}
