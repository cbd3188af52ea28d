/**
 * The client-facing HTTP/1.1 server. Per request: match a route on the live Runtime, decide
 * mirroring (shadow/), forward to the serving upstream, and nothing else: no parsing, diffing
 * or info-level logging here (ARCHITECTURE "hot-path rules").
 *
 * Config reloads swap `runtime` in one assignment; a request keeps the Runtime it started with.
 * Drain: stop accepting, answer in-flight requests with `Connection: close`, wait up to the
 * drain timeout, then close what is left.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import type { ErrorCode } from '../errors.js'
import { Forward } from './forward.js'
import { upstreamRequestHeaders, type ForwardedInfo } from './headers.js'
import { sendError } from './respond.js'
import type { RouteRuntime } from './route-runtime.js'
import type { Runtime } from './runtime.js'
import { WebSocketBridge } from './websocket.js'

export interface ProxyServerOptions {
  log: Logger
}

const CLIENT_ERROR_STATUS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'Request Timeout'],
}

export class ProxyServer {
  readonly server: http.Server
  private runtime: Runtime
  private readonly log: Logger
  private readonly ws: WebSocketBridge
  private inFlight = 0
  private draining = false
  private drainWaiter: (() => void) | undefined

  constructor (runtime: Runtime, opts: ProxyServerOptions) {
    this.runtime = runtime
    this.log = opts.log
    this.server = http.createServer({ keepAlive: true })
    this.server.on('request', (req, res) => this.handle(req, res, false))
    this.server.on('checkContinue', (req, res) => this.handle(req, res, true))
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head))
    this.server.on('clientError', (err, socket) => this.clientError(err, socket))
    this.ws = new WebSocketBridge((err, req) => this.log.debug({ err, url: req.url }, 'websocket proxy error'))
  }

  get live (): Runtime { return this.runtime }

  /** Atomic swap: requests already running finish on the runtime they started with. */
  setRuntime (next: Runtime): void { this.runtime = next }

  listen (port: number, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        this.server.off('error', reject)
        resolve(this.server.address() as AddressInfo)
      })
    })
  }

  get requestsInFlight (): number { return this.inFlight }

  /**
   * Stop accepting, let in-flight requests finish (responses carry Connection: close), and
   * after `timeoutMs` close whatever is still open. Resolves with the count cut off.
   */
  async drain (timeoutMs: number): Promise<number> {
    this.draining = true
    this.server.close()
    this.server.closeIdleConnections()
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs)
        this.drainWaiter = () => { clearTimeout(timer); resolve() }
      })
    }
    const cut = this.inFlight
    this.server.closeAllConnections()
    this.ws.closeAll()
    return cut
  }

  get isDraining (): boolean { return this.draining }

  private handle (req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    res.sendDate = false // the upstream's Date (or its absence) goes through unchanged
    this.inFlight++
    res.once('close', this.onResponseClose)
    if (this.draining) res.shouldKeepAlive = false

    const rt = this.runtime
    const target = originForm(req.url)
    if (target === undefined) { this.reject(res, 'SHADOWFIG_ERR_BAD_REQUEST'); return }
    const method = req.method as string
    const m = rt.table.match(method, req.headers.host, target, req.headers)
    if (m === undefined) { this.reject(res, 'SHADOWFIG_ERR_NO_ROUTE'); return }
    const route = rt.routes[m.index]

    const cl = req.headers['content-length']
    const te = req.headers['transfer-encoding']
    const length = cl === undefined ? -1 : Number(cl)
    const hasBody = te !== undefined || length > 0
    if (length > route.maxBodySize) { this.reject(res, 'SHADOWFIG_ERR_BODY_TOO_LARGE'); return }
    if (expectContinue) res.writeContinue()

    // Live split picks the serving upstream first; only primary-served requests are mirrored.
    const upstream = route.split === undefined ? route.primary : route.split.choose(req)
    const ticket = upstream === route.primary ? route.shadow?.begin(req, route, target, hasBody, length) : undefined
    const headers = upstreamRequestHeaders(req.rawHeaders, upstream.hostHeader, route.config.preserveHost, forwardedInfo(req), ticket?.primaryHeaders)
    const forward = new Forward(req, res, upstream, {
      requestId: ticket?.id,
      captureLimit: ticket?.captureLimit ?? 0,
      observer: ticket ?? route,
    })
    forward.dispatch(method, target, headers, hasBody ? (ticket?.teeBody(req) ?? req) : null)
    ticket?.started()
  }

  private reject (res: ServerResponse, code: ErrorCode): void {
    res.shouldKeepAlive = false // the request body (if any) was not read
    sendError(res, code)
  }

  private readonly onResponseClose = (): void => {
    this.inFlight--
    if (this.inFlight === 0 && this.drainWaiter) { const w = this.drainWaiter; this.drainWaiter = undefined; w() }
  }

  private upgrade (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = originForm(req.url)
    const m = target === undefined || this.draining
      ? undefined
      : this.runtime.table.match(req.method as string, req.headers.host, target, req.headers)
    if (m === undefined) {
      socket.end(`HTTP/1.1 ${this.draining ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
      return
    }
    const route = this.runtime.routes[m.index]
    this.ws.forward(req, socket, head, route.primary, route.config.preserveHost)
  }

  private clientError (err: Error & { code?: string }, socket: Duplex): void {
    const [status, text] = CLIENT_ERROR_STATUS[err.code ?? ''] ?? [400, 'Bad Request']
    if ((socket as Socket).writable && !(socket as Socket & { _httpMessage?: unknown })._httpMessage) {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
    } else {
      socket.destroy()
    }
  }
}

function forwardedInfo (req: IncomingMessage): ForwardedInfo {
  return { clientIp: req.socket.remoteAddress, proto: 'http', host: req.headers.host }
}

/**
 * Replays a request that a split sent to the candidate on the route's primary (bodiless,
 * safe requests only; the SplitHook decides). The new Forward takes over the client response.
 */
export function forwardAgain (failed: Forward, route: RouteRuntime): void {
  const upstream = route.primary
  const headers = upstreamRequestHeaders(failed.req.rawHeaders, upstream.hostHeader, route.config.preserveHost, forwardedInfo(failed.req))
  new Forward(failed.req, failed.res, upstream, { observer: route }).dispatch(failed.method, failed.path, headers, null)
}

/**
 * The origin-form target (`/path?query`) of a request line, or undefined when it has none.
 * Absolute-form (`http://host/path`, RFC 9112 §3.2.2) is reduced to its path and query.
 */
export function originForm (url: string | undefined): string | undefined {
  if (url === undefined || url.length === 0) return undefined
  if (url.charCodeAt(0) === 47 /* / */) return url
  if (/^https?:\/\//i.test(url)) {
    try {
      const u = new URL(url)
      return u.pathname + u.search
    } catch { return undefined }
  }
  return undefined
}
