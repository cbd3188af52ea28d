// Hop-by-hop rules on raw header arrays: fields named by Connection never cross the hop,
// whatever else Connection says; the usual keep-alive alone removes only itself.
import t from 'tap'
import { clientResponseHeaders, upstreamRequestHeaders } from '../../src/http/forwarding.js'

const fwd = { clientIp: '10.0.0.9', proto: 'http' as const, host: 'shop.test' }
const names = (raw: readonly string[]): string[] => raw.filter((_, i) => i % 2 === 0)

t.test('request: Connection and every field it lists are removed, in any case and with keep-alive beside them', async (t) => {
  const raw = ['Host', 'shop.test', 'Connection', 'Keep-Alive, X-Drop ,close', 'X-Drop', '1', 'Keep-Alive', 'timeout=5', 'X-Keep', 'a']
  t.same(names(upstreamRequestHeaders(raw, 'up:80', false, fwd)), ['X-Keep', 'host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'])
  const plain = ['Host', 'shop.test', 'connection', 'keep-alive', 'X-Keep', 'a']
  t.same(names(upstreamRequestHeaders(plain, 'up:80', false, fwd)), ['X-Keep', 'host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'])
  const upper = ['Host', 'shop.test', 'CONNECTION', 'KEEP-ALIVE', 'X-Keep', 'a']
  t.same(names(upstreamRequestHeaders(upper, 'up:80', false, fwd)), ['X-Keep', 'host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'])
})

t.test('response: the same rules on the upstream\'s raw Buffers', async (t) => {
  const raw = ['Content-Type', 'application/json', 'Connection', 'keep-alive', 'Connection', 'x-hop', 'X-Hop', '1', 'Content-Length', '2'].map((s) => Buffer.from(s))
  t.same(clientResponseHeaders(raw), ['Content-Type', 'application/json', 'Content-Length', '2'], 'a second Connection line counts too')
  const plain = ['Content-Length', '2', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5'].map((s) => Buffer.from(s))
  t.same(clientResponseHeaders(plain), ['Content-Length', '2'])
})
