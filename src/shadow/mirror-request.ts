/**
 * One mirrored request to a candidate or secondary: an undici dispatch handler that only
 * captures (status, headers, body up to a cap) and never touches the client. Bounded in time
 * (a hard timer over the whole exchange, on top of the pool's header/body timeouts) and in
 * memory and work: a response whose Content-Length is over the cap is aborted at its head
 * (no body byte is read), one without (chunked) as soon as it outgrows the cap. Reading 100 MiB
 * nobody compares helps no one. Either way the capture is marked `truncated` and the comparison
 * skips it as `body_too_large`. Every path ends in exactly one `done` call.
 */
import type { Dispatcher } from 'undici'
import { CaptureFullError, MirrorTimeoutError } from '../errors.js'
import { headerMap } from '../http/forwarding.js'
import { declaresBodyOver } from '../http/headers.js'
import { classifyUpstreamError } from '../http/failure.js'
import type { Upstream } from '../proxy/upstreams.js'
import type { CapturedResponse } from '../http/captured.js'
import { ownedBytes } from '../http/owned-bytes.js'

export interface MirrorResult { (capture: CapturedResponse): void }

export class MirrorRequest implements Dispatcher.DispatchHandler {
  private readonly startedAt = performance.now()
  private controller: Dispatcher.DispatchController | undefined
  private readonly timer: NodeJS.Timeout
  private status = 0
  private headers: Record<string, string | string[]> = {}
  private readonly chunks: Buffer[] = []
  private size = 0
  private truncated = false
  private finished = false
  private readonly method: string

  constructor (
    upstream: Upstream,
    opts: { method: string, path: string, headers: string[], body: Buffer | null },
    private readonly limit: number,
    timeoutMs: number,
    private readonly done: MirrorResult,
  ) {
    this.method = opts.method
    this.timer = setTimeout(this.onTimeout, timeoutMs)
    this.timer.unref()
    try {
      upstream.pool.dispatch({ method: opts.method, path: upstream.basePath + opts.path, headers: opts.headers, body: opts.body }, this)
    } catch (err) {
      this.onResponseError(undefined, err as Error)
    }
  }

  onRequestStart (controller: Dispatcher.DispatchController): void {
    this.controller = controller
  }

  onResponseStart (controller: Dispatcher.DispatchController, statusCode: number): void {
    if (statusCode < 200) return
    this.status = statusCode
    const raw = (controller.rawHeaders ?? []) as Buffer[]
    const flat: string[] = new Array(raw.length)
    for (let i = 0; i < raw.length; i++) flat[i] = raw[i].toString('latin1')
    this.headers = headerMap(flat)
    if (declaresBodyOver(this.method, statusCode, flat, this.limit)) this.cutAtCap(controller)
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.size + chunk.length > this.limit) { this.cutAtCap(controller); return }
    this.chunks.push(chunk)
    this.size += chunk.length
  }

  /** Over the cap: keep what was read, marked truncated, and stop the candidate sending more. */
  private cutAtCap (controller: Dispatcher.DispatchController): void {
    this.truncated = true
    controller.abort(new CaptureFullError())
  }

  onResponseEnd (): void {
    this.finish()
  }

  onResponseError (_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (err instanceof CaptureFullError) { this.finish(); return }
    this.finish(err)
  }

  private readonly onTimeout = (): void => {
    if (this.controller) this.controller.abort(new MirrorTimeoutError())
    else this.finish(new MirrorTimeoutError())
  }

  private finish (err?: Error): void {
    if (this.finished) return
    this.finished = true
    clearTimeout(this.timer)
    const failure = err === undefined ? undefined : classifyUpstreamError(err)
    this.done({
      status: failure === undefined ? this.status : 0,
      headers: this.headers,
      body: ownedBytes(this.chunks, this.size),
      truncated: this.truncated,
      durationMs: performance.now() - this.startedAt,
      failure,
      failureMessage: err?.message,
    })
  }
}
