/**
 * The lifecycle of one mirrored exchange. Created by ShadowRoute.begin() after every check
 * passed and a slot was reserved on each mirror target; ends in exactly one of
 *  - submit: primary and every mirror finished → one Exchange to the sink;
 *  - abandon: body over the cap, client gone, primary failed before mirrors were sent.
 * Either way each reservation is released once. Nothing here can touch the client response:
 * the ticket observes the primary Forward and owns only its own mirror requests.
 */
import type { IncomingMessage } from 'node:http'
import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream'
import { forwardedInfo, headerMap, upstreamRequestHeaders } from '../http/forwarding.js'
import type { ForwardOutcome } from '../proxy/outcome.js'
import { traceIdOf } from '../http/request-id.js'
import type { MirrorSession } from '../proxy/route-runtime.js'
import type { CapturedResponse } from '../http/captured.js'
import type { Exchange } from './exchange.js'
import { MirrorRequest } from './mirror-request.js'
import { ownedBytes } from '../http/owned-bytes.js'
import { rewriteHeaders, rewritePath } from './rewrite.js'
import type { MirrorOutcome } from '../metrics/registry.js'
import type { CompiledRewrite } from './rewrite.js'
import type { MirrorTarget } from './targets.js'

class BodyTee extends Transform {
  constructor (private readonly ticket: MirrorTicket) { super() }
  override _transform (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.ticket.onBodyChunk(chunk)
    cb(null, chunk)
  }

  override _flush (cb: TransformCallback): void {
    this.ticket.onBodyEnd()
    cb()
  }
}

/** What a ticket needs from its route's mirror plan (ShadowRoute implements it). */
export interface TicketOwner {
  readonly routeName: string
  readonly preserveHost: boolean
  /** Mirrors go out with the primary request (true) or after its response (false). */
  readonly parallel: boolean
  /** Largest request body mirrored. */
  readonly maxBodySize: number
  readonly timeoutMs: number
  readonly captureLimit: number
  readonly rewrite: CompiledRewrite | undefined
  count (outcome: MirrorOutcome): void
  /** A copy sent to one target (the secondary's are counted apart). */
  countCopy (role: 'candidate' | 'secondary', outcome: 'sent'): void
  /** Frees a target's slot; with a capture, also feeds its breaker and metrics. */
  release (t: MirrorTarget, capture: CapturedResponse | undefined): void
  /** The ticket ended (submitted or abandoned). */
  closeTicket (): void
  submit (exchange: Exchange): void
}

export class MirrorTicket implements MirrorSession {
  readonly id: string
  /** Headers added to the primary request so both sides log the same id. */
  readonly primaryHeaders: string[]
  readonly captureLimit: number
  private readonly startedAt = Date.now()
  private readonly targets: MirrorTarget[]
  private readonly captures: Array<CapturedResponse | undefined>
  private body: Buffer[] | undefined
  /** The complete request body once mirrors were sent (kept for the exchange: capture/replay). */
  private sentBody: Buffer | null = null
  private bodySize = 0
  private bodyReady: boolean
  private mirrorsSent = false
  private primary: CapturedResponse | undefined
  private pending: number
  private ended = false

  constructor (
    private readonly shadow: TicketOwner,
    private readonly req: IncomingMessage,
    private readonly target: string,
    hasBody: boolean,
    id: string,
    targets: MirrorTarget[],
  ) {
    this.id = id
    this.primaryHeaders = ['x-shadowfig-request-id', id]
    this.captureLimit = shadow.captureLimit
    this.targets = targets
    this.captures = new Array(targets.length)
    this.pending = targets.length
    this.bodyReady = !hasBody
    if (hasBody) this.body = []
  }

  /** The stream to forward to the primary: the client body, copied (capped) on the way. */
  teeBody (body: Readable): Readable {
    const tee = new BodyTee(this)
    pipeline(body, tee, (err) => { if (err) this.abandon(undefined) })
    return tee
  }

  onBodyChunk (chunk: Buffer): void {
    if (this.body === undefined) return
    this.bodySize += chunk.length
    if (this.bodySize > this.shadow.maxBodySize) this.abandon('body_too_large')
    else this.body.push(chunk)
  }

  onBodyEnd (): void {
    this.bodyReady = true
    // after-primary: the primary may have answered before the upload ended (early response).
    if (this.shadow.parallel || this.primary !== undefined) this.sendMirrors()
  }

  /** Called by the server right after the primary was dispatched. */
  started (): void {
    if (this.bodyReady && this.shadow.parallel) this.sendMirrors()
  }

  onForwardEnd (o: ForwardOutcome): void {
    if (o.end === 'client_gone' || o.end === 'answered_by_proxy' || o.response === undefined) { this.abandon(undefined); return }
    this.primary = o.response
    if (!this.shadow.parallel) {
      if (o.failure !== undefined) { this.abandon(undefined); return }
      this.sendMirrors()
    }
    this.maybeSubmit()
  }

  private sendMirrors (): void {
    if (this.mirrorsSent || this.ended || !this.bodyReady) return
    this.mirrorsSent = true
    const body = this.body === undefined ? null : ownedBytes(this.body, this.bodySize)
    this.body = undefined
    this.sentBody = body
    const req = this.req
    const fwd = forwardedInfo(req)
    const path = rewritePath(this.target, this.shadow.rewrite)
    for (let i = 0; i < this.targets.length; i++) {
      const t = this.targets[i]
      const base = upstreamRequestHeaders(req.rawHeaders, t.upstream.hostHeader, this.shadow.preserveHost, fwd,
        ['x-shadowfig-role', t.role, 'x-shadowfig-request-id', this.id])
      const headers = rewriteHeaders(base, this.shadow.rewrite)
      this.shadow.countCopy(t.role, 'sent')
      // eslint-disable-next-line no-new -- the request lives through its handler callbacks
      new MirrorRequest(t.upstream, { method: req.method as string, path, headers, body }, this.captureLimit,
        this.shadow.timeoutMs, (capture) => this.onMirrorDone(i, capture))
    }
  }

  private onMirrorDone (i: number, capture: CapturedResponse): void {
    const t = this.targets[i]
    this.captures[i] = capture
    this.shadow.release(t, capture)
    this.pending--
    this.maybeSubmit()
  }

  private maybeSubmit (): void {
    if (this.ended || this.pending > 0 || this.primary === undefined || !this.mirrorsSent) return
    this.ended = true
    this.shadow.closeTicket()
    const exchange: Exchange = {
      id: this.id,
      route: this.shadow.routeName,
      startedAt: this.startedAt,
      request: { method: this.req.method as string, path: this.target, headers: headerMap(this.req.rawHeaders) },
      primary: this.primary,
      candidate: this.captures[0] as CapturedResponse,
      traceId: traceIdOf(this.req.headers.traceparent),
    }
    if (this.sentBody !== null) exchange.request.body = this.sentBody
    if (this.targets.length > 1) exchange.secondary = this.captures[1]
    this.shadow.submit(exchange)
  }

  /** Gives up on this exchange; releases reservations of mirrors never sent. */
  private abandon (outcome: 'body_too_large' | undefined): void {
    if (this.ended) return
    this.ended = true
    this.shadow.closeTicket()
    this.body = undefined
    if (outcome !== undefined) this.shadow.count(outcome)
    if (!this.mirrorsSent) for (const t of this.targets) this.shadow.release(t, undefined)
  }
}
