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

  constructor (onError: (err: Error, req: IncomingMessage) => void) {
    this.proxy.on('error', (err, req, socket) => {
      onError(err, req)
      if (socket && 'destroy' in socket) socket.destroy()
    })
  }

  forward (req: IncomingMessage, socket: Duplex, head: Buffer, upstream: Upstream, preserveHost: boolean): void {
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
    // A client error before the proxy attached its own listeners must not crash the process.
    socket.on('error', () => socket.destroy())
    this.proxy.ws(req, socket, head, {
      target: upstream.origin + upstream.basePath,
      changeOrigin: !preserveHost,
    })
  }

  closeAll (): void {
    for (const s of this.sockets) s.destroy()
    this.proxy.close()
  }
}
