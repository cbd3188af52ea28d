/**
 * The client-facing HTTP/1.1 server. Per request: match a route on the live Runtime, decide
 * mirroring (the route's MirrorPlanner), forward to the serving upstream, and nothing else: no
 * parsing, diffing or info-level logging here (docs/architecture.md, "Hot-path rules").
 *
 * Config reloads swap `runtime` in one assignment; a request keeps the Runtime it started with.
 * Drain: stop accepting, answer in-flight requests with `Connection: close`, wait up to the
 * drain timeout, then close what is left.
 *
 * Hostile clients (docs/limits.md): the strict parser and Node's timeouts do the framing and
 * slowloris work (limits.ts, screen.ts, client-errors.ts); this file answers each violation with its status, counts it in
 * shadowfig_rejected_total{reason}, and never forwards a request it could not frame exactly.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex, Readable } from 'node:stream'
import type { Counter } from 'prom-client'
import type { Logger } from 'pino'
import type { ErrorCode } from '../errors.js'
import { HTTP_METHODS } from '../http/methods.js'
import { redactTarget } from '../logging/redact.js'
import type { Metrics } from '../metrics/registry.js'
import { BodyLimit } from './body-limit.js'
import { classifyClientError } from './client-errors.js'
import { rawResponse, sendError, sendRejection } from './error-response.js'
import { Forward } from './forward.js'
import { applyLimits, resolveLimits, serverOptions, type ClientLimits } from './limits.js'
import { REJECTIONS, REJECT_REASONS, type RejectReason } from './rejections.js'
import type { Runtime } from './runtime.js'
import { screenRequest } from './screen.js'
import { WebSocketBridge } from './websocket.js'

export interface ProxyServerOptions {
  log: Logger
  /** Counts refused requests and connections (shadowfig_rejected_total); absent: not counted. */
  metrics?: Pick<Metrics, 'rejected'>
}

/** Marks a connection accepted over `maxConnections`: its first request gets 503. */
const OVER_LIMIT = Symbol('shadowfig.overLimit')
/** Marks a connection whose request was refused (and counted): a later parser error is not news. */
const REFUSED = Symbol('shadowfig.refused')
/** The Forward serving a response, so a parser error or timeout on its connection can end it. */
const FORWARD = Symbol('shadowfig.forward')
type ClientResponse = ServerResponse & { [FORWARD]?: Forward }
type ClientSocket = Socket & { [OVER_LIMIT]?: true, [REFUSED]?: true, _httpMessage?: ClientResponse | null }

/** Methods the proxy forwards; the Allow header of a 405 to CONNECT (RFC 9110 §15.5.6). */
const ALLOW = `allow: ${HTTP_METHODS.join(', ')}\r\n`

export class ProxyServer {
  readonly server: http.Server
  private runtime: Runtime
  private readonly log: Logger
  private readonly ws: WebSocketBridge
  private inFlight = 0
  private draining = false
  private drainWaiter: (() => void) | undefined
  private limits: ClientLimits
  private connections = 0
  private readonly rejected: Partial<Record<RejectReason, Counter.Internal>> = {}

  constructor (runtime: Runtime, opts: ProxyServerOptions) {
    this.runtime = runtime
    this.log = opts.log
    this.limits = resolveLimits(runtime.config)
    // Label children resolved once (and exported at 0, so dashboards see every reason).
    if (opts.metrics) {
      for (const r of REJECT_REASONS) (this.rejected[r] = opts.metrics.rejected.labels(r)).inc(0)
    }
    this.server = http.createServer({ keepAlive: true, ...serverOptions(this.limits) })
    applyLimits(this.server, this.limits)
    this.server.on('connection', (socket: ClientSocket) => this.onConnection(socket))
    this.server.on('drop', () => this.count('max_connections'))
    this.server.on('request', (req, res) => this.handle(req, res, false))
    this.server.on('checkContinue', (req, res) => this.handle(req, res, true))
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head))
    this.server.on('connect', (_req, socket) => this.connect(socket))
    this.server.on('clientError', (err, socket) => this.clientError(err, socket))
    // A WebSocket URL often carries its credential as a query parameter (browsers cannot set headers).
    this.ws = new WebSocketBridge((err, req) => this.log.debug({ err, url: redactTarget(req.url ?? '') }, 'websocket proxy error'))
  }

  get live (): Runtime { return this.runtime }

  /**
   * Atomic swap: requests already running finish on the runtime they started with. Limits
   * that Node lets change on a live server follow the new config (limits.ts).
   */
  setRuntime (next: Runtime): void {
    this.runtime = next
    this.limits = resolveLimits(next.config)
    applyLimits(this.server, this.limits)
  }

  /** Client limits in force. */
  get clientLimits (): Readonly<ClientLimits> { return this.limits }

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

  private handle (req: IncomingMessage, res: ClientResponse, expectContinue: boolean): void {
    const socket = req.socket as ClientSocket
    // Pipelined behind a refused request: the framing of this connection is suspect and it
    // closes after the refusal, so nothing more from it is forwarded (RFC 9112 §9.3.2).
    if (socket[REFUSED] === true) return
    res.sendDate = false // the upstream's Date (or its absence) goes through unchanged
    this.inFlight++
    res.once('close', this.onResponseClose)
    // A pipelined response waits for the ones before it; if the connection dies first, Node
    // never gives it a socket nor a 'close': end it here, so the Forward aborts its upstream
    // request and in-flight accounting (drain) does not wait for it forever.
    if (res.socket === null) socket.once('close', () => { if (res.socket === null) { res.destroy(); res.emit('close') } })
    if (this.draining) res.shouldKeepAlive = false

    const rt = this.runtime
    if (socket[OVER_LIMIT] === true) {
      sendRejection(res, 'max_connections', { 'retry-after': '1' }) // counted when the connection was accepted
      return
    }
    const refused = screenRequest(req, this.limits)
    if (refused !== undefined) { this.reject(res, refused); return }
    const target = requestTarget(req)
    if (target === undefined) {
      if (req.url === '*' && req.method === 'OPTIONS') { asteriskOptions(res); return }
      this.reject(res, 'bad_request')
      return
    }
    const method = req.method as string
    const m = rt.table.match(method, req.headers.host, target, req.headers)
    if (m === undefined) { this.refuse(res, 'SHADOWFIG_ERR_NO_ROUTE'); return }
    const route = rt.routes[m.index]

    const cl = req.headers['content-length']
    const te = req.headers['transfer-encoding']
    const length = cl === undefined ? -1 : Number(cl)
    const hasBody = te !== undefined || length > 0
    if (length > route.maxBodySize) { this.reject(res, 'body_too_large'); return }
    if (expectContinue) res.writeContinue()

    // Live split picks the serving upstream first; only primary-served requests are mirrored.
    const upstream = route.serving(req)
    const mirror = upstream === route.primary ? route.shadow?.begin(req, target, hasBody, length) : undefined
    const forward = mirror === undefined
      ? new Forward(req, res, upstream, route)
      : new Forward(req, res, upstream, route, { requestId: mirror.id, extraHeaders: mirror.primaryHeaders, captureLimit: mirror.captureLimit, mirror })
    res[FORWARD] = forward
    let body: Readable | null = null
    if (hasBody) {
      // A chunked body's size is known only as it arrives: count it against the route limit.
      body = length < 0 && route.maxBodySize !== Infinity ? this.limitBody(req, res, forward, route.maxBodySize) : req
      if (mirror !== undefined) body = mirror.teeBody(body)
    }
    forward.dispatch(target, body)
    mirror?.started()
  }

  /**
   * The body through a BodyLimit. Over the limit: 413 when no response byte was sent yet,
   * else the client connection is cut (Forward destroys it when the upstream request aborts);
   * either way the upstream request is aborted, never completed with a truncated body.
   */
  private limitBody (req: IncomingMessage, res: ServerResponse, forward: Forward, max: number): Readable {
    const limiter: BodyLimit = new BodyLimit(max, () => {
      this.count('body_too_large')
      // Keep reading what the client still sends, so it sees the 413 rather than a reset.
      req.unpipe(limiter)
      req.resume()
      if (!res.headersSent) {
        sendRejection(res, 'body_too_large')
        forward.abort('answered_by_proxy', 413)
      }
    })
    // pipe, not pipeline: an error must abort the upstream side only, not destroy the client
    // socket under the 413 being written.
    req.pipe(limiter)
    return limiter
  }

  /** A counted rejection (docs/limits.md); the connection closes after the answer. */
  private reject (res: ServerResponse, reason: RejectReason): void {
    this.count(reason)
    const socket = res.socket as ClientSocket | null
    if (socket !== null) socket[REFUSED] = true
    sendRejection(res, reason)
  }

  /** An uncounted error answer (no route). */
  private refuse (res: ServerResponse, code: ErrorCode): void {
    res.shouldKeepAlive = false // the request body (if any) was not read
    sendError(res, code)
  }

  private count (reason: RejectReason): void { this.rejected[reason]?.inc() }

  private onConnection (socket: ClientSocket): void {
    this.connections++
    socket.once('close', () => { this.connections-- })
    if (this.connections > this.limits.maxConnections) {
      socket[OVER_LIMIT] = true
      this.count('max_connections')
    }
  }

  /** RFC 9112 §3.2.3: CONNECT asks for a tunnel; a reverse proxy does not make tunnels. */
  private connect (socket: Duplex): void {
    this.count('bad_request')
    endSocket(socket, rawResponse({ status: 405, text: 'Method Not Allowed', code: 'SHADOWFIG_ERR_BAD_REQUEST' }, ALLOW))
  }

  private readonly onResponseClose = (): void => {
    this.inFlight--
    if (this.inFlight === 0 && this.drainWaiter) { const w = this.drainWaiter; this.drainWaiter = undefined; w() }
  }

  private upgrade (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const over = (req.socket as ClientSocket)[OVER_LIMIT] === true
    const refused = over ? 'max_connections' : screenRequest(req, this.limits) ?? upgradeWithBody(req)
    if (refused !== undefined) {
      if (!over) this.count(refused)
      endSocket(socket, rawResponse(refused))
      return
    }
    const target = requestTarget(req)
    const m = target === undefined || this.draining
      ? undefined
      : this.runtime.table.match(req.method as string, req.headers.host, target, req.headers)
    if (m === undefined) {
      socket.end(`HTTP/1.1 ${this.draining ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
      return
    }
    const route = this.runtime.routes[m.index]
    this.ws.forward(req, socket, head, route.primary, route.preserveHost, this.limits.requestTimeout || this.limits.headersTimeout)
  }

  /**
   * A parser error or a timeout on a client connection. Answered with its status while no
   * response byte went out on that connection (after that, the only safe move is to cut it).
   */
  private clientError (err: Error & { code?: string, rawPacket?: Buffer, bytesParsed?: number }, duplex: Duplex): void {
    const socket = duplex as ClientSocket
    const msg = socket._httpMessage ?? undefined
    // The in-flight request was read in full: the error is in a request pipelined behind it.
    const behind = msg !== undefined && msg.req.complete
    const reason = socket[OVER_LIMIT] === true || socket[REFUSED] === true ? undefined : classifyClientError(err, msg !== undefined && !behind)
    if (reason === undefined) { socket.destroy(); return } // client gone, or counted already
    this.count(reason)
    if (behind && !msg.writableFinished) {
      // Answers on a connection go out in request order (RFC 9112 §9.3.2): the in-flight
      // request was forwarded and its response is owed first; then the refusal, then close.
      socket[REFUSED] = true
      msg.once('close', () => { if (msg.writableFinished) endSocket(socket, rawResponse(reason)); else socket.destroy() })
      return
    }
    // A connection that never sent a byte is not a request: close it without an answer a
    // browser could take for the response to a request it sends at that instant (RFC 9112 §9.5).
    if (!socket.writable || msg?.headersSent === true || (reason === 'headers_timeout' && socket.bytesRead === 0)) {
      socket.destroy()
      return
    }
    // requests_total counts what the client got: this answer, not the upstream's.
    msg?.[FORWARD]?.abort('answered_by_proxy', REJECTIONS[reason].status)
    endSocket(socket, rawResponse(reason))
  }
}

/** Writes a last response and closes once it is flushed. */
function endSocket (socket: Duplex, response: string): void {
  if (!socket.writable) { socket.destroy(); return }
  socket.once('finish', () => socket.destroy())
  socket.end(response)
}

/**
 * An Upgrade request that declares a body is refused: Node hands the socket over at the head,
 * so the body would travel as the first bytes of the new protocol, and an upstream waiting for
 * it would hold the connection until its own timeout.
 */
function upgradeWithBody (req: IncomingMessage): RejectReason | undefined {
  const cl = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0') ? 'bad_request' : undefined
}

/** RFC 9110 §9.3.7: `OPTIONS *` asks about the server itself; answered here, never forwarded. */
function asteriskOptions (res: ServerResponse): void {
  res.shouldKeepAlive = res.req.complete
  res.writeHead(200, { 'content-length': 0, allow: ALLOW.slice(7, -2) })
  res.end()
}

/**
 * The origin-form target to forward, or undefined. Absolute-form (RFC 9112 §3.2.2): the
 * target's authority replaces a received Host ("MUST ignore the received Host"), so routing,
 * X-Forwarded-Host and preserveHost all see one host; userinfo is refused (RFC 9110 §4.2.4).
 */
function requestTarget (req: IncomingMessage): string | undefined {
  const url = req.url
  if (url === undefined || url.length === 0) return undefined
  if (url.charCodeAt(0) === 47 /* / */) return url
  if (!/^https?:\/\//i.test(url)) return undefined
  let u: URL
  try { u = new URL(url) } catch { return undefined }
  if (u.username !== '' || u.password !== '' || u.host === '') return undefined
  req.headers.host = u.host
  return u.pathname + u.search
}
