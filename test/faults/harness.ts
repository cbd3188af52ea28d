/**
 * Fault-test harness: a real ProxyServer on port 0 wired to a Metrics registry (so
 * shadowfig_rejected_total can be read), optional client limits, and upstreams that record
 * every byte and every connection they get, so a test can assert "the upstream saw nothing".
 */
import net from 'node:net'
import type { ConfigInput } from '../../src/config/schema.js'
import type { ClientLimits } from '../../src/proxy/limits.js'
import { startProxy, type TestProxy } from '../helpers/proxy.js'
import { netServer, rawExchange as rawExchangeIdle, type Started } from '../helpers/servers.js'

/** The shared test proxy (test/helpers/proxy.ts) with metrics, limits and reload. */
export type FaultProxy = TestProxy

export function startFaultProxy (input: ConfigInput, limits?: Partial<ClientLimits>): Promise<FaultProxy> {
  return startProxy(input, { limits })
}

export interface RecordingUpstream extends Started<net.Server> {
  /** Connections accepted so far. */
  connections: number
  /** Every byte received, per connection, as latin1 text. */
  received: string[]
  /** Complete requests answered (one per blank line after a head; bodies by content-length). */
  requests: number
}

/**
 * A raw upstream that answers each request head with `200 ok` (keep-alive) after reading a
 * content-length body, and records everything. Chunked bodies are read up to `0\r\n\r\n`.
 */
export async function recordingUpstream (): Promise<RecordingUpstream> {
  const state = { connections: 0, received: [] as string[], requests: 0 }
  const started = await netServer((s) => {
    const idx = state.connections++
    state.received[idx] = ''
    let buf = ''
    s.on('data', (c: Buffer) => {
      const text = c.toString('latin1')
      state.received[idx] += text
      buf += text
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end === -1) return
        const head = buf.slice(0, end)
        const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head)
        let total = end + 4
        if (cl !== null) total += Number(cl[1])
        else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
          const last = buf.indexOf('\r\n0\r\n\r\n', end)
          if (last === -1) return
          total = last + 7
        }
        if (buf.length < total) return
        buf = buf.slice(total)
        state.requests++
        s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
      }
    })
  })
  return Object.defineProperties(started, {
    connections: { get: () => state.connections },
    received: { get: () => state.received },
    requests: { get: () => state.requests },
  }) as RecordingUpstream
}

/** A config with one catch-all route to `primaryUrl` (and a candidate when given). */
export function faultConfig (primaryUrl: string, route: Record<string, unknown> = {}, candidateUrl?: string): ConfigInput {
  const upstreams: Record<string, unknown> = { primary: { url: primaryUrl, timeout: '2s', connectTimeout: '1s' } }
  if (candidateUrl !== undefined) upstreams.candidate = { url: candidateUrl, timeout: '2s', connectTimeout: '1s' }
  return {
    upstreams,
    routes: [{ name: 'all', match: { pathPrefix: '/' }, primary: 'primary', ...route }],
  } as ConfigInput
}

/** Waits a little for anything still in flight (mirrors are asynchronous). */
export const settle = (ms = 150): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * helpers/servers rawExchange with a long idle cut-off: these requests end with a close, and
 * on a loaded machine a 2 s idle limit would cut an answer that is merely slow.
 */
export const rawExchange = (port: number, request: string | Buffer, idleMs = 20_000): Promise<Buffer> => rawExchangeIdle(port, request, idleMs)
