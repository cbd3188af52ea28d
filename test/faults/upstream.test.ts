/**
 * Hostile upstreams, from raw `net` servers: reset, half-close, trickle, oversized headers,
 * invalid status lines and a keep-alive socket closed under the pool. The client always gets
 * a complete response, a 502/504 with its code, or a cut connection: never a hang, never a
 * truncated body that looks complete, and never an unsafe request sent twice.
 * (test/proxy/failures.test.ts covers refused, timeout, reset mid-body and non-HTTP bytes.)
 */
import t from 'tap'
import type net from 'node:net'
import { request } from 'undici'
import { netServer, semantic, splitResponse } from '../helpers/servers.js'
import { faultConfig, startFaultProxy, rawExchange } from './harness.js'

const GET = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'

async function errorOf (url: string): Promise<{ status: number, code: string }> {
  const r = await request(url)
  const body = await r.body.json() as { error?: { code: string } }
  return { status: r.statusCode, code: body.error?.code ?? '' }
}

/** A raw upstream that runs `onRequest` once the first request head has arrived. */
function onHead (onRequest: (s: net.Socket) => void): ReturnType<typeof netServer> {
  return netServer((s) => {
    let buf = ''
    const listener = (c: Buffer): void => {
      buf += c.toString('latin1')
      if (buf.includes('\r\n\r\n')) { s.off('data', listener); onRequest(s) }
    }
    s.on('data', listener)
  })
}

t.test('reset before any response byte: 502 SHADOWFIG_ERR_UPSTREAM_RESET', async (t) => {
  const up = await onHead((s) => s.resetAndDestroy())
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  t.same(await errorOf(`${p.url}/r`), { status: 502, code: 'SHADOWFIG_ERR_UPSTREAM_RESET' })
})

t.test('half-close (FIN) instead of a response: 502, no hang', async (t) => {
  const up = await onHead((s) => s.end())
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  t.same(await errorOf(`${p.url}/h`), { status: 502, code: 'SHADOWFIG_ERR_UPSTREAM_RESET' })
})

t.test('half-close in the middle of the response head: 502', async (t) => {
  const up = await onHead((s) => s.end('HTTP/1.1 200 OK\r\nContent-'))
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const e = await errorOf(`${p.url}/h`)
  t.equal(e.status, 502)
  t.match(e.code, /^SHADOWFIG_ERR_UPSTREAM_(RESET|PROTOCOL)$/)
})

t.test('half-close before content-length is reached: the client connection is cut', async (t) => {
  const up = await onHead((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-this'))
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const r = splitResponse(await rawExchange(p.port, GET))
  t.match(r.statusLine, /^HTTP\/1\.1 200 /)
  t.ok(r.body.length < 100, `got ${r.body.length} of 100 bytes, then a close`)
})

t.test('a close-delimited body (no length, FIN ends it; RFC 9112 §6.3) arrives whole, re-framed', async (t) => {
  const up = await onHead((s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nthe whole body'))
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const r = semantic(await rawExchange(p.port, GET))
  t.match(r.statusLine, /^HTTP\/1\.1 200 /)
  t.equal(r.body.toString(), 'the whole body')
})

t.test('trickle: a body at 1 byte per 50 ms arrives intact (the timeout is per chunk)', async (t) => {
  const body = 'abcdefghijklmnop'
  const up = await onHead((s) => {
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`)
    let i = 0
    const timer = setInterval(() => {
      if (s.destroyed) { clearInterval(timer); return }
      s.write(body[i++])
      if (i === body.length) clearInterval(timer)
    }, 50)
  })
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  const r = await request(`${p.url}/t`)
  t.equal(r.statusCode, 200)
  t.equal(await r.body.text(), body)
})

t.test('trickle: a head at 1 byte per 50 ms past the upstream timeout gives 504', async (t) => {
  const head = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
  const up = await onHead((s) => {
    let i = 0
    const timer = setInterval(() => {
      if (s.destroyed || i === head.length) { clearInterval(timer); return }
      s.write(head[i++])
    }, 50)
  })
  const p = await startFaultProxy({ ...faultConfig(up.url), upstreams: { primary: { url: up.url, timeout: '600ms' } } })
  t.teardown(async () => { await p.close(); await up.close() })
  t.same(await errorOf(`${p.url}/t`), { status: 504, code: 'SHADOWFIG_ERR_UPSTREAM_TIMEOUT' })
})

t.test('oversized response headers: 502 SHADOWFIG_ERR_UPSTREAM_PROTOCOL', async (t) => {
  const up = await onHead((s) => s.end(`HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(100_000)}\r\nContent-Length: 2\r\n\r\nok`))
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  t.same(await errorOf(`${p.url}/big`), { status: 502, code: 'SHADOWFIG_ERR_UPSTREAM_PROTOCOL' })
})

t.test('invalid status lines: 502 SHADOWFIG_ERR_UPSTREAM_PROTOCOL', async (t) => {
  const lines = ['HTTP/1.1 2000 OK', 'HTTP/1.1 OK', 'HTTP/1.1 -200 OK', 'ICY 200 OK', 'HTTP/1.1 200 OK\rX: y', 'HTTP/1.1 099 Low']
  let i = 0
  const up = await onHead((s) => s.end(`${lines[i++]}\r\nContent-Length: 2\r\n\r\nok`))
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  for (const line of lines) {
    t.same(await errorOf(`${p.url}/s`), { status: 502, code: 'SHADOWFIG_ERR_UPSTREAM_PROTOCOL' }, JSON.stringify(line))
  }
})

/**
 * The upstream answers keep-alive (no `Connection: close`) and closes the socket right after:
 * the pool may hand that socket to the next request as it dies. Idempotent requests may be
 * retried by undici or fail 502; none may hang, and a POST must never reach the upstream twice.
 */
for (const how of ['FIN', 'RST'] as const) {
  t.test(`premature ${how} on a pooled keep-alive socket: 200 or 502, never a hang or a repeated POST`, async (t) => {
    const posts = new Map<string, number>()
    const up = await netServer((s) => {
      let buf = ''
      s.on('data', (c: Buffer) => {
        buf += c.toString('latin1')
        const end = buf.indexOf('\r\n\r\n')
        if (end === -1) return
        const cl = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0)
        if (buf.length < end + 4 + cl) return
        const body = buf.slice(end + 4, end + 4 + cl)
        if (body) posts.set(body, (posts.get(body) ?? 0) + 1)
        buf = ''
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', () => {
          setImmediate(() => { if (how === 'FIN') s.end(); else s.resetAndDestroy() })
        })
      })
    })
    const p = await startFaultProxy(faultConfig(up.url))
    t.teardown(async () => { await p.close(); await up.close() })
    const outcomes = new Map<string, number>()
    const one = async (i: number): Promise<void> => {
      const post = i % 2 === 1
      const r = await request(`${p.url}/k${i}`, post ? { method: 'POST', body: `id-${i}`, headersTimeout: 30_000, bodyTimeout: 30_000 } : { headersTimeout: 30_000, bodyTimeout: 30_000 })
      const text = await r.body.text()
      const key = `${post ? 'POST' : 'GET'} ${r.statusCode}`
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
      if (r.statusCode !== 200) t.match(text, /SHADOWFIG_ERR_UPSTREAM_(RESET|CONNECT)/, `request ${i}: ${text}`)
    }
    // Four clients at once, so that pooled sockets are picked while their FIN/RST is in flight.
    for (let i = 0; i < 80; i += 4) await Promise.all([one(i), one(i + 1), one(i + 2), one(i + 3)])
    t.comment(`${how}: ${JSON.stringify(Object.fromEntries(outcomes))}`)
    for (const key of outcomes.keys()) t.match(key, /^(GET|POST) (200|502)$/)
    t.ok([...posts.values()].every((n) => n === 1), 'no POST body reached the upstream twice')
    t.equal(p.proxy.requestsInFlight, 0, 'nothing left hanging')
  })
}

t.test('the upstream closes a reused keep-alive socket as the next request arrives: a GET is retried once on a fresh connection', async (t) => {
  let connections = 0
  const heads: string[] = []
  const up = await netServer((s) => {
    connections++
    let served = false
    s.on('data', (c: Buffer) => {
      heads.push(c.toString('latin1').split('\r\n')[0])
      // The first request is answered keep-alive; the next one on this socket gets a FIN.
      if (served) { s.end(); return }
      served = true
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    })
  })
  const p = await startFaultProxy(faultConfig(up.url))
  t.teardown(async () => { await p.close(); await up.close() })
  t.equal((await request(`${p.url}/first`)).statusCode, 200)
  const second = await request(`${p.url}/second`, { headersTimeout: 30_000 })
  const text = await second.body.text()
  t.comment(`second request on the dying socket: ${second.statusCode} ${text.slice(0, 60)}; upstream saw ${JSON.stringify(heads)}`)
  t.equal(second.statusCode, 200, 'the client never sees the stale socket')
  t.equal(text, 'ok')
  t.equal(connections, 2, 'retried on a fresh connection')
  const third = await request(`${p.url}/third`)
  t.equal(third.statusCode, 200, 'the pool recovers with a fresh connection')
  await third.body.text()
})
