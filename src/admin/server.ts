/**
 * The admin HTTP server (docs/admin-api.md), on its own port, plain node:http and a tiny
 * route table. Endpoints and their access levels:
 *   GET  /metrics, /healthz, /readyz, /assets/*      open
 *   GET  /api/report, /api/diffs/:id                  token
 *   GET  /report, /report/samples/:id                 token, a loopback client, or a session
 *   POST /report/signin, /report/logout               open; cross-origin browsers refused
 *   POST /api/reload, /api/routes/:name/split,
 *        /api/routes/:name/promote                    token; cross-origin browsers refused
 * Errors are JSON `{ error: { code, message } }` with SHADOWFIG_ERR_* codes. POST bodies are
 * capped (`maxBodyBytes`). The hooks are the proxy's: this module never touches config or
 * routing itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { share } from '../config/schema.js'
import { ERROR_CODES, ShadowfigError, type ErrorCode } from '../errors.js'
import { redactTarget } from '../logging/redact.js'
import { AdminAuth, isCrossOrigin, type AccessLevel } from './auth.js'
import { cameOverTls, sessionCookie, Sessions, type SessionOptions } from './sessions.js'
import { renderNoTokenPage, renderSignInPage, safeNext, SIGN_OUT_FORM } from './signin-page.js'
import type { Metrics } from '../metrics/registry.js'
import { ASSETS, renderReportPage } from '../report/report-page.js'
import type { Report } from '../report/reporter.js'
import type { Sample, SampleStore } from '../report/samples.js'
import { renderEvictedPage, renderSamplePage } from '../report/drilldown-page.js'
import { parseWindow, type WindowName } from '../report/windows.js'

type Awaitable<T> = T | Promise<T>

/** Hooks may answer asynchronously: the --workers primary fans them out over IPC. */
export interface AdminHooks {
  /** Config loaded and not draining. */
  ready (): boolean
  reload (): Promise<{ ok: true, hash: string } | { ok: false, errors: string[] }>
  setSplit (route: string, weight: number): Awaitable<{ ok: true, route: string, weight: number, fileWeight: number } | { ok: false, status: number, error: string }>
  /** Approves a route's next climb step (or `to`); 409 when tripped or not ready, unless `force`. */
  promote? (route: string, opts: PromoteRequest): Awaitable<{ ok: true } & Record<string, unknown> | { ok: false, status: number, error: string }>
  /** Live per-route state (split weights, guard state), keyed by route name. */
  routeStatus? (): Awaitable<Record<string, unknown>>
  /** Looks up a sample that `samples` does not hold (the --workers primary asks its workers). */
  sample? (id: string): Promise<Sample | undefined>
}

/** The body of `POST /api/routes/:name/promote`: `{}`, `{"to": "20%"}`, `{"force": true}`. */
export interface PromoteRequest { to?: number, force?: boolean }

export interface AdminServerOptions {
  host: string
  port: number
  token?: string
  /** Only the registry is read: the --workers primary passes an aggregating one. */
  metrics: Pick<Metrics, 'registry'>
  reporter: { report (window?: WindowName): Awaitable<Report> }
  samples: SampleStore
  hooks: AdminHooks
  log: Logger
  /** Largest POST body accepted (default 16 KiB). */
  maxBodyBytes?: number
  /** False: loopback clients get no free pass (see AdminAuthOptions.trustLoopback). */
  trustLoopback?: boolean
  /** Browser sign-in sessions: how many at once and for how long. */
  sessions?: SessionOptions
}

export interface AdminServer {
  listen (): Promise<{ port: number }>
  close (): Promise<void>
}

/** `/api/report`: the reporter's report, each route with its live state, plus all live state. */
export type AdminReport = Report & { live: Record<string, unknown> }

type Handler = (req: IncomingMessage, res: ServerResponse, param: string) => Promise<void> | void
/** `page`: a browser page, so a refusal is a page too (sign-in form, or how to get a token). */
interface Endpoint { method: 'GET' | 'POST', pattern: RegExp, access: AccessLevel, handle: Handler, page?: boolean }

export function createAdminServer (opts: AdminServerOptions): AdminServer {
  const sessions = new Sessions(opts.sessions)
  const auth = new AdminAuth(opts.token, { sessions, trustLoopback: opts.trustLoopback })
  const maxBody = opts.maxBodyBytes ?? 16 * 1024
  const { hooks, log } = opts

  const report = async (req: IncomingMessage): Promise<AdminReport> => {
    const asked = new URL(req.url as string, 'http://admin').searchParams.get('window')
    const window = parseWindow(asked)
    if (window === undefined) throw new ShadowfigError('SHADOWFIG_ERR_BAD_REQUEST', `window must be one of 5m, 1h, 24h, all (got ${asked})`)
    const live = await hooks.routeStatus?.() ?? {}
    const rep = await opts.reporter.report(window)
    return { ...rep, routes: rep.routes.map((r) => ({ ...r, live: live[r.route] })), live }
  }

  const endpoints: Endpoint[] = [
    {
      method: 'GET', pattern: /^\/metrics$/, access: 'open',
      handle: async (_req, res) => {
        send(res, 200, await opts.metrics.registry.metrics(), opts.metrics.registry.contentType)
      },
    },
    { method: 'GET', pattern: /^\/healthz$/, access: 'open', handle: (_req, res) => send(res, 200, 'ok\n') },
    {
      method: 'GET', pattern: /^\/readyz$/, access: 'open',
      handle: (_req, res) => hooks.ready() ? send(res, 200, 'ready\n') : send(res, 503, 'not ready\n'),
    },
    {
      method: 'GET', pattern: /^\/assets\/([\w.-]+)$/, access: 'open',
      handle: async (_req, res, name) => {
        const asset = ASSETS[name]
        if (asset === undefined) return fail(res, 'SHADOWFIG_ERR_NOT_FOUND')
        send(res, 200, await asset.body(), asset.type, { 'cache-control': 'max-age=3600' })
      },
    },
    { method: 'GET', pattern: /^\/api\/report$/, access: 'token', handle: async (req, res) => sendJson(res, 200, await report(req)) },
    {
      method: 'GET', pattern: /^\/api\/diffs\/([^/]+)$/, access: 'token',
      handle: async (_req, res, id) => {
        const sample = opts.samples.get(id) ?? await hooks.sample?.(id)
        return sample ? sendJson(res, 200, sample) : fail(res, 'SHADOWFIG_ERR_NOT_FOUND', `no stored sample ${id} (evicted, expired or never stored)`)
      },
    },
    {
      method: 'GET', pattern: /^\/report$/, access: 'token-or-loopback', page: true,
      handle: async (req, res) => send(res, 200, renderReportPage(await report(req), opts.samples, sessions.valid(req) ? SIGN_OUT_FORM : ''), HTML),
    },
    {
      // Same access as /report, so the page's own links open for whoever can see the page.
      method: 'GET', pattern: /^\/report\/samples\/([^/]+)$/, access: 'token-or-loopback', page: true,
      handle: async (_req, res, id) => {
        const sample = opts.samples.get(id) ?? await hooks.sample?.(id)
        if (sample !== undefined) return send(res, 200, renderSamplePage(sample), HTML)
        send(res, 404, renderEvictedPage(id, opts.samples.retention()), HTML)
      },
    },
    {
      method: 'POST', pattern: /^\/api\/reload$/, access: 'token',
      handle: async (req, res) => {
        await readBody(req, maxBody)
        const r = await hooks.reload()
        if (r.ok) return sendJson(res, 200, r)
        sendJson(res, 400, { ...new ShadowfigError('SHADOWFIG_ERR_CONFIG', r.errors.join('\n')).toJSON(), errors: r.errors })
      },
    },
    {
      method: 'POST', pattern: /^\/api\/routes\/([^/]+)\/split$/, access: 'token',
      handle: async (req, res, name) => {
        if (!isJson(req)) return fail(res, 'SHADOWFIG_ERR_BAD_REQUEST', 'send a JSON body {"weight": 0.05} with content-type: application/json', 415)
        const weight = parseWeight(await readBody(req, maxBody))
        if (weight === undefined) return fail(res, 'SHADOWFIG_ERR_BAD_REQUEST', 'body must be {"weight": <0..1 or "N%">}')
        const r = await hooks.setSplit(name, weight)
        if (r.ok) return sendJson(res, 200, r)
        fail(res, r.status === 404 ? 'SHADOWFIG_ERR_NOT_FOUND' : 'SHADOWFIG_ERR_BAD_REQUEST', r.error, r.status)
      },
    },
  ]

  endpoints.push({
    // A form post (a browser cannot send JSON without script); same-origin is checked below.
    method: 'POST', pattern: /^\/report\/signin$/, access: 'open', page: true,
    handle: async (req, res) => {
      const form = new URLSearchParams(await readBody(req, maxBody))
      const next = safeNext(form.get('next'))
      if (!auth.hasToken) return send(res, 403, renderNoTokenPage(), HTML)
      if (sessions.throttled()) return send(res, 429, renderSignInPage(next, 'throttled'), HTML, { 'retry-after': '60' })
      if (!auth.matches(form.get('token') ?? '')) {
        sessions.failed()
        return send(res, 401, renderSignInPage(next, 'wrong'), HTML)
      }
      send(res, 303, '', 'text/plain; charset=utf-8', { location: next, 'set-cookie': sessionCookie(sessions.create(), sessions.ttlMs, cameOverTls(req)) })
    },
  }, {
    method: 'POST', pattern: /^\/report\/logout$/, access: 'open', page: true,
    handle: async (req, res) => {
      await readBody(req, maxBody)
      sessions.end(req)
      send(res, 303, '', 'text/plain; charset=utf-8', { location: '/report', 'set-cookie': sessionCookie('', 0, cameOverTls(req)) })
    },
  }, {
    method: 'POST', pattern: /^\/api\/routes\/([^/]+)\/promote$/, access: 'token',
    handle: async (req, res, name) => {
      if (!isJson(req)) return fail(res, 'SHADOWFIG_ERR_BAD_REQUEST', 'send a JSON body {} or {"to": "20%", "force": true} with content-type: application/json', 415)
      const body = parsePromote(await readBody(req, maxBody))
      if (body === undefined) return fail(res, 'SHADOWFIG_ERR_BAD_REQUEST', 'body must be {"to"?: <0..1 or "N%">, "force"?: true|false}')
      if (hooks.promote === undefined) return fail(res, 'SHADOWFIG_ERR_NOT_FOUND', 'this proxy has no climb to promote')
      const r = await hooks.promote(name, body)
      if (r.ok) return sendJson(res, 200, r)
      const code = r.status === 404 ? 'SHADOWFIG_ERR_NOT_FOUND' : r.status === 409 ? 'SHADOWFIG_ERR_CONFLICT' : 'SHADOWFIG_ERR_BAD_REQUEST'
      fail(res, code, r.error, r.status)
    },
  })

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint()
    res.on('finish', () => {
      log.debug({ method: req.method, url: redactTarget(req.url ?? ''), status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'admin request')
    })
    handle(req, res).catch((err: unknown) => {
      if (err instanceof ShadowfigError) return fail(res, err.code, err.message)
      log.error({ err }, 'admin request failed')
      fail(res, 'SHADOWFIG_ERR_INTERNAL')
    })
  })

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url as string, 'http://admin').pathname
    const method = req.method === 'HEAD' ? 'GET' : req.method
    const matching = endpoints.filter((e) => e.pattern.test(path))
    if (matching.length === 0) return fail(res, 'SHADOWFIG_ERR_NOT_FOUND')
    const ep = matching.find((e) => e.method === method)
    if (ep === undefined) {
      res.setHeader('allow', [...new Set(matching.map((e) => e.method === 'GET' ? 'GET, HEAD' : e.method))].join(', '))
      return fail(res, 'SHADOWFIG_ERR_BAD_REQUEST', `method ${req.method} not allowed on ${path}`, 405)
    }
    const denied = auth.check(req, ep.access)
    if (denied !== undefined) {
      if (denied === 'SHADOWFIG_ERR_UNAUTHORIZED') res.setHeader('www-authenticate', 'Bearer realm="shadowfig"')
      if (ep.page !== true) return fail(res, denied)
      return send(res, ERROR_CODES[denied].status, denied === 'SHADOWFIG_ERR_FORBIDDEN' ? renderNoTokenPage() : renderSignInPage(req.url as string), HTML)
    }
    if (ep.method === 'POST' && isCrossOrigin(req)) {
      return fail(res, 'SHADOWFIG_ERR_FORBIDDEN', 'cross-origin requests may not change the proxy')
    }
    let param = ''
    try {
      param = decodeURIComponent(ep.pattern.exec(path)?.[1] ?? '')
    } catch {
      return fail(res, 'SHADOWFIG_ERR_BAD_REQUEST', 'bad percent-encoding in the path')
    }
    await ep.handle(req, res, param)
  }

  return {
    listen: () => new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject)
        resolve({ port: (server.address() as AddressInfo).port })
      })
    }),
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

/** Mutations take JSON only: a cross-site form cannot send it without a CORS preflight. */
function isJson (req: IncomingMessage): boolean {
  return /^application\/json\b/i.test(req.headers['content-type'] ?? '')
}

function parseWeight (body: string): number | undefined {
  let value: unknown
  try { value = JSON.parse(body) } catch { return undefined }
  if (typeof value !== 'object' || value === null || !('weight' in value)) return undefined
  const r = share.safeParse(value.weight)
  return r.success ? r.data : undefined
}

function parsePromote (body: string): PromoteRequest | undefined {
  let value: unknown
  try { value = body === '' ? {} : JSON.parse(body) } catch { return undefined }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const { to, force, ...rest } = value as Record<string, unknown>
  if (Object.keys(rest).length > 0 || (force !== undefined && typeof force !== 'boolean')) return undefined
  if (to === undefined) return { force: force === true }
  const r = share.safeParse(to)
  return r.success ? { to: r.data, force: force === true } : undefined
}

/** Reads a small body; answers 413 (by throwing) past `max` bytes. */
async function readBody (req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > max) throw new ShadowfigError('SHADOWFIG_ERR_BODY_TOO_LARGE', `admin request bodies are limited to ${max} bytes`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > max) throw new ShadowfigError('SHADOWFIG_ERR_BODY_TOO_LARGE', `admin request bodies are limited to ${max} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const HTML = 'text/html; charset=utf-8'

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  // Pages show traffic: no script may run, nothing may load from elsewhere; forms (sign-in,
  // sign-out) post only to us.
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  // Nothing leaks to other sites; `no-referrer` would also make Chromium send `Origin: null`
  // on the sign-in form's POST, which the same-origin check rightly refuses.
  'referrer-policy': 'same-origin',
}

function send (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extra })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

function sendJson (res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8')
}

function fail (res: ServerResponse, code: ErrorCode, message?: string, status: number = ERROR_CODES[code].status): void {
  // After an early error the rest of a request body is not worth reading: close after this.
  if (!res.req.complete) res.setHeader('connection', 'close')
  sendJson(res, status, new ShadowfigError(code, message).toJSON())
}
