/**
 * Hostile upstreams for the fault matrix (bench/faults/matrix.ts), raw `net` servers on
 * loopback that read each request head and then misbehave:
 *  - `hang`: never answer (the socket stays open until the peer gives up);
 *  - `reset`: a 2 KiB JSON head and half its body, then a TCP reset;
 *  - `garbage`: bytes that are not HTTP, then close;
 *  - `huge-declared`: `content-length: 100 MiB`, then the body streamed for as long as the
 *    peer reads it;
 *  - `huge-chunked`: the same 100 MiB as chunks of 64 KiB, then the last chunk.
 * The huge bodies are written with backpressure: what they cost the proxy is what it chooses
 * to read, and a peer that aborts at the head stops them at once.
 */
import net from 'node:net'
import { MiB, makeBody, serveSockets, startBackend, type BackendOptions, type RunningBackend } from '../backends.js'

export type FaultKind = 'hang' | 'reset' | 'garbage' | 'huge-declared' | 'huge-chunked'

export interface FaultServerOptions {
  fault: FaultKind
  port?: number
}

/** What one backend process serves: a well-behaved backend or a hostile one. */
export type BackendSpec = BackendOptions | FaultServerOptions

/** Size of the huge bodies, declared or chunked. */
export const HUGE_BYTES = 100 * MiB
const CHUNK = Buffer.alloc(64 * 1024, 'x')

export function startSpec (spec: BackendSpec): Promise<RunningBackend> {
  return 'fault' in spec ? startFaultServer(spec) : startBackend(spec)
}

/** Writes `total` bytes of `CHUNK`s (chunk-framed when `chunked`) while the socket drains. */
async function stream (socket: net.Socket, total: number, chunked: boolean): Promise<void> {
  const frame = chunked ? Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')]) : CHUNK
  for (let sent = 0; sent < total && !socket.destroyed; sent += CHUNK.length) {
    if (!socket.write(frame)) {
      await new Promise<void>((resolve) => { socket.once('drain', resolve); socket.once('close', resolve) })
    }
  }
  if (chunked && !socket.destroyed) socket.write('0\r\n\r\n')
}

const HALF_ANSWER = ((): Buffer => {
  const body = makeBody(2048, 'candidate')
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`), body.subarray(0, body.length / 2)])
})()

function misbehave (kind: FaultKind, socket: net.Socket): void {
  switch (kind) {
    case 'hang': return
    case 'reset':
      // After a pause: measured on Node 20, resetAndDestroy() right after a write (at once, or
      // in its callback) closed with a FIN, not a reset.
      socket.write(HALF_ANSWER)
      setTimeout(() => socket.resetAndDestroy(), 10)
      return
    case 'garbage':
      socket.end(Buffer.from('\x00\xff\xfeNOT-HTTP garbage\r\n\x07\x08\r\n\r\n', 'latin1'))
      return
    case 'huge-declared':
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${HUGE_BYTES}\r\n\r\n`)
      void stream(socket, HUGE_BYTES, false)
      return
    case 'huge-chunked':
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n')
      void stream(socket, HUGE_BYTES, true)
  }
}

export function startFaultServer (opts: FaultServerOptions): Promise<RunningBackend> {
  return serveSockets(opts.port ?? 0, (socket) => {
    let head = ''
    socket.setEncoding('latin1')
    socket.on('data', (data: string) => {
      // One answer per connection: the first complete head decides it.
      if (head.includes('\r\n\r\n')) return
      head += data
      if (head.includes('\r\n\r\n')) misbehave(opts.fault, socket)
    })
  })
}
