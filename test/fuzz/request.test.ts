/**
 * Fuzz of the request path: random bytes and mutated requests (seeded, FUZZ_SEED) sent to a
 * real proxy over raw sockets, in pieces, sometimes half-closed. Bounded in count and time.
 *  - no hang: every connection ends (a response, then a close) within a timeout, thanks to
 *    the proxy's head/request/keep-alive timeouts;
 *  - every answer is an HTTP/1.1 status line;
 *  - nothing malformed ever leaves the proxy: the primary and the candidate are strict
 *    node:http servers and report no parse error (an aborted body is not one);
 *  - afterwards the process is up, nothing is left in flight, and a normal request works.
 */
import t from 'tap'
import http from 'node:http'
import net from 'node:net'
import { request } from 'undici'
import { httpServer } from '../helpers/servers.js'
import { faultConfig, startFaultProxy } from '../faults/harness.js'
import { Rng, SEED } from './prng.js'

const CASES = 400
const BUDGET_MS = 25_000
const PARALLEL = 16
// A connection still open this long after its last byte is hung: the proxy's own timeouts
// (400 ms head, 800 ms request, 300 ms keep-alive) end every connection long before.
const HANG_MS = 30_000

const TEMPLATES = [
  'GET /a/b?q=1 HTTP/1.1\r\nHost: x\r\nX-A: b\r\nAccept: */*\r\n\r\n',
  'POST /p HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":[1,2]}',
  'POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
  'GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc',
  'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  'GET http://x/abs HTTP/1.1\r\nHost: y\r\n\r\n',
  'HEAD / HTTP/1.0\r\n\r\n',
]
const TOKENS = [
  '\r', '\n', '\r\n', ' ', '\t', ':', '0', '\0', '\x7f', '\xff', '%', '*', 'ffffffffffffffff', ';ext=1', 'HTTP/1.0', 'HTTP/2.0',
  'Transfer-Encoding: chunked\r\n', 'Transfer-Encoding: gzip, chunked\r\n', 'Content-Length: 99999999999\r\n', 'Content-Length: -1\r\n',
  'Content-Length: 0\r\n', 'Host: y\r\n', 'Connection: close\r\n', 'Connection: keep-alive, Upgrade\r\n', ' folded\r\n', 'x'.repeat(3000),
]

function mutate (rng: Rng, s: string): string {
  switch (rng.int(6)) {
    case 0: { const i = rng.int(s.length); return s.slice(0, i) + String.fromCharCode(rng.int(256)) + s.slice(i + 1) }
    case 1: { const i = rng.int(s.length + 1); return s.slice(0, i) + rng.pick(TOKENS) + s.slice(i) }
    case 2: { const i = rng.int(s.length); return s.slice(0, i) + s.slice(i + 1 + rng.int(8)) }
    case 3: { const lines = s.split('\r\n'); const i = 1 + rng.int(Math.max(1, lines.length - 2)); lines.splice(i, 0, lines[i] as string); return lines.join('\r\n') }
    case 4: return s.slice(0, rng.int(s.length + 1))
    default: { const i = s.indexOf('\r\n') + 2; return s.slice(0, i) + rng.pick(TOKENS) + s.slice(i) }
  }
}

interface Outcome { hung: boolean, response: string }

/** Sends `pieces` (a short pause between them), maybe half-closes, and waits for the close. */
function exchange (port: number, pieces: Buffer[], halfClose: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    const got: Buffer[] = []
    const timer = setTimeout(() => { s.destroy(); resolve({ hung: true, response: Buffer.concat(got).toString('latin1') }) }, HANG_MS)
    s.on('data', (c: Buffer) => got.push(c))
    s.on('error', () => {})
    s.on('close', () => { clearTimeout(timer); resolve({ hung: false, response: Buffer.concat(got).toString('latin1') }) })
    s.on('connect', async () => {
      for (const p of pieces) {
        if (s.destroyed) return
        s.write(p)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      if (halfClose && !s.destroyed) s.end()
    })
  })
}

/** A strict upstream that counts parse errors in what the proxy sends it. */
async function strictUpstream (): Promise<{ url: string, parseErrors: string[], close (): Promise<void> }> {
  const parseErrors: string[] = []
  const up = await httpServer((req, res) => {
    // An aborted body ('aborted' error) is the proxy cutting a bad client: not a parse error.
    req.on('error', () => {})
    req.resume()
    req.on('end', () => res.end('ok'))
  }, { insecureHTTPParser: false } as http.ServerOptions)
  up.server.on('clientError', (err: Error & { code?: string }, socket) => {
    // An aborted body (the client went away, a limit cut it) ends in EOF or a reset: fine.
    if (err.code?.startsWith('HPE_') === true && err.code !== 'HPE_INVALID_EOF_STATE') parseErrors.push(`${err.code}: ${err.message}`)
    socket.destroy()
  })
  return { url: up.url, parseErrors, close: up.close }
}

t.test(`request path fuzz (seed ${SEED})`, async (t) => {
  const prim = await strictUpstream()
  const cand = await strictUpstream()
  const p = await startFaultProxy(faultConfig(prim.url, {
    maxBodySize: '4KiB',
    shadow: { candidate: 'candidate', methods: ['GET', 'HEAD', 'POST', 'PUT'], allowWrites: true },
  }, cand.url), { headersTimeout: 400, requestTimeout: 800, keepAliveTimeout: 300 })
  t.teardown(async () => { await p.close(); await prim.close(); await cand.close() })

  const rng = new Rng(SEED)
  const started = Date.now()
  const statuses = new Map<string, number>()
  let done = 0
  let hung = 0
  let badAnswers = 0
  const runOne = async (n: number): Promise<void> => {
    let bytes: Buffer
    if (n % 5 === 0) bytes = rng.bytes(rng.int(300))
    else {
      let s = rng.pick(TEMPLATES)
      for (let k = 1 + rng.int(3); k > 0; k--) s = mutate(rng, s)
      bytes = Buffer.from(s, 'latin1')
    }
    const cuts = [0, ...Array.from({ length: rng.int(3) }, () => rng.int(bytes.length + 1)).sort((a, b) => a - b), bytes.length]
    const pieces = cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end)).filter((b) => b.length > 0)
    const out = await exchange(p.port, pieces, rng.int(3) === 0)
    done++
    if (out.hung) { hung++; t.fail(`case ${n} hung: ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`) }
    for (const m of out.response.matchAll(/HTTP\/1\.1 (\d{3}) /g)) statuses.set(m[1] as string, (statuses.get(m[1] as string) ?? 0) + 1)
    if (out.response.length > 0 && !/^HTTP\/1\.1 \d{3} /.test(out.response)) {
      badAnswers++
      t.fail(`case ${n}: answer is not a status line: ${JSON.stringify(out.response.slice(0, 200))}`)
    }
  }
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < CASES && Date.now() - started < BUDGET_MS) await runOne(next++)
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  t.comment(`${done} connections in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`)
  t.ok(done >= 100, `at least 100 cases ran (${done})`)
  t.equal(hung, 0, 'no connection hung')
  t.equal(badAnswers, 0, 'every answer starts with an HTTP/1.1 status line')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.same(prim.parseErrors, [], 'the primary never received a malformed request')
  t.same(cand.parseErrors, [], 'the candidate never received a malformed request')
  t.equal(p.proxy.requestsInFlight, 0, 'nothing left in flight')
  const r = await request(`${p.url}/after`)
  t.equal(r.statusCode, 200, 'a normal request still works afterwards')
  t.equal(await r.body.text(), 'ok')
})
