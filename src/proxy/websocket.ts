/**
 * WebSocket (and any HTTP/1.1 Upgrade) requests go to the route's primary through
 * http-proxy-3's `ws()`: it speaks the upgrade handshake and pipes both sockets. WebSockets
 * are never mirrored (a stream of frames has no response to compare).
 * Every error ends in a destroyed client socket, never in an unhandled 'error' event.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { createProxyServer } from 'http-proxy-3'
import type { Upstream } from './upstreams.js'

export class WebSocketBridge {
  private readonly proxy = createProxyServer({ ws: true, xfwd: true })
  private readonly sockets = new Set<Duplex>()
  /** Client sockets whose upgrade has not completed yet, with the timer that cuts them. */
  private readonly handshakes = new WeakMap<IncomingMessage, NodeJS.Timeout>()

  constructor (onError: (err: Error, req: IncomingMessage) => void) {
    this.proxy.on('proxyReqWs', (proxyReq, req) => { proxyReq.once('upgrade', () => this.handshakeDone(req)) })
    this.proxy.on('error', (err, req, socket) => {
      onError(err, req)
      if (socket && 'destroy' in socket) socket.destroy()
    })
  }

  /**
   * `timeoutMs`: the client limits go on applying until the upstream answers 101; an upstream
   * that never completes the handshake cannot hold the client's socket for its own timeout.
   */
  forward (req: IncomingMessage, socket: Duplex, head: Buffer, upstream: Upstream, preserveHost: boolean, timeoutMs: number): void {
    this.sockets.add(socket)
    if (timeoutMs > 0) {
      const timer = setTimeout(() => socket.destroy(), timeoutMs)
      timer.unref()
      this.handshakes.set(req, timer)
    }
    socket.once('close', () => { this.sockets.delete(socket); this.handshakeDone(req) })
    // A client error before the proxy attached its own listeners must not crash the process.
    socket.on('error', () => socket.destroy())
    this.proxy.ws(req, socket, head, {
      target: upstream.origin + upstream.basePath,
      changeOrigin: !preserveHost,
    })
  }

  private handshakeDone (req: IncomingMessage): void {
    const timer = this.handshakes.get(req)
    if (timer !== undefined) { clearTimeout(timer); this.handshakes.delete(req) }
  }

  closeAll (): void {
    for (const s of this.sockets) s.destroy()
    this.proxy.close()
  }
}
