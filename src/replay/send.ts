/**
 * Sends one request to one upstream and captures the answer exactly as the proxy's shadow
 * side does (src/shadow/exchange.ts `CapturedResponse`): raw bytes still content-encoded,
 * capped at `maxBodySize` (`truncated` then), headers-to-last-byte time, and a stable
 * `failure` (the proxy's classification, src/http/failure.ts) instead of a throw when no
 * complete response arrived. Every body is read or destroyed, so no socket leaks.
 */
import { performance } from 'node:perf_hooks'
import { request, type Dispatcher } from 'undici'
import { classifyUpstreamError } from '../http/failure.js'
import type { CapturedResponse } from '../http/captured.js'
import type { HeaderMap } from '../http/headers.js'

export interface OutgoingRequest {
  method: string
  /** Path and query, starting with `/`. */
  path: string
  headers: HeaderMap
  body?: Uint8Array
}

export interface SendOptions {
  /** Time to the response headers, and between body chunks, in ms. */
  timeout: number
  maxBodySize: number
  dispatcher?: Dispatcher
}

/** Joins an upstream base URL (which may carry a path prefix) and a request path. */
export function upstreamUrl (base: string, path: string): URL {
  const url = new URL(base)
  const prefix = url.pathname.replace(/\/+$/, '')
  return new URL(prefix + path, url.origin)
}

export async function send (base: string, req: OutgoingRequest, opts: SendOptions): Promise<CapturedResponse> {
  const start = performance.now()
  try {
    const res = await request(upstreamUrl(base, req.path), {
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body,
      headersTimeout: opts.timeout,
      bodyTimeout: opts.timeout,
      dispatcher: opts.dispatcher,
    })
    const chunks: Buffer[] = []
    let size = 0
    let truncated = false
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      const room = opts.maxBodySize - size
      if (chunk.byteLength > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room))
        size += Math.max(room, 0)
        truncated = true
        res.body.destroy()
        break
      }
      chunks.push(chunk)
      size += chunk.byteLength
    }
    return {
      status: res.statusCode,
      headers: res.headers as HeaderMap,
      body: Buffer.concat(chunks, size),
      truncated,
      durationMs: performance.now() - start,
    }
  } catch (err) {
    return {
      status: 0,
      headers: {},
      body: new Uint8Array(0),
      truncated: false,
      durationMs: performance.now() - start,
      failure: classifyUpstreamError(err),
      failureMessage: (err as Error).message,
    }
  }
}
