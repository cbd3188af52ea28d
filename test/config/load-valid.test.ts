import t from 'tap'
import { loadConfigText } from '../../src/config/load.js'

const BASE = `upstreams:
  monolith: { url: http://127.0.0.1:3001 }
  orders-svc: { url: http://127.0.0.1:3002, timeout: 2s, connections: 32 }
`

function ok (text: string, env: Record<string, string> = {}) {
  const r = loadConfigText(text, 'test.yaml', { env })
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join('\n'))
  return r
}

t.test('minimal config gets every default', async (t) => {
  const r = ok(BASE + 'routes:\n  - { name: all, match: { pathPrefix: / }, primary: monolith }\n')
  t.match(r.hash, /^[0-9a-f]{12}$/)
  t.equal(r.file, 'test.yaml')
  t.same(r.warnings, [])
  t.same(r.config.listen, { host: '0.0.0.0', port: 8080 })
  t.equal(r.config.admin.port, 9901)
  t.equal(r.config.admin.token, undefined)
  t.equal(r.config.upstreams['orders-svc'].timeout, 2000)
  t.equal(r.config.upstreams.monolith.timeout, 30_000)
  t.same(r.config.routes[0].compare.comparators, ['status', 'headers', 'json'])
  t.equal(r.config.routes[0].shadow, undefined)
})

t.test('defaults merge under routes; route keys win; nested maps merge; lists replace', async (t) => {
  const r = ok(BASE + `defaults:
  shadow: { sample: 50%, maxBodySize: 64KiB, circuit: { failures: 5 } }
  compare: { headers: { include: [content-type] }, ignore: [$.a] }
routes:
  - name: a
    match: { path: /a/:id }
    primary: monolith
    shadow: { candidate: orders-svc, circuit: { cooldown: 1m } }
    compare: { headers: { exclude: [date] }, ignore: [$.b] }
  - name: b
    match: { path: /b }
    primary: monolith
    shadow: { candidate: orders-svc, sample: 1% }
  - name: c
    match: { pathPrefix: / }
    primary: monolith
`)
  const [a, b, c] = r.config.routes
  t.equal(a.shadow?.sample, 0.5)
  t.equal(a.shadow?.maxBodySize, 65536)
  t.same(a.shadow?.circuit, { failures: 5, cooldown: 60_000 })
  t.same(a.compare.headers, { include: ['content-type'], exclude: ['date'] })
  t.same(a.compare.ignore, ['$.b'])
  t.equal(b.shadow?.sample, 0.01)
  t.same(b.compare.ignore, ['$.a'])
  t.equal(c.shadow, undefined, 'defaults.shadow never turns mirroring on')
  t.same(c.compare.headers, { include: ['content-type'] })
})

t.test('interpolation', async (t) => {
  const text = `listen:
  port: \${PORT:-8081}
  host: "\${HOST:-::}"
admin: { token: "\${TOKEN}" }
logging: { diffs: "$\${LITERAL}/x" }
upstreams:
  monolith: { url: "\${MONO_URL:-http://127.0.0.1:3001}" }
routes:
  - name: all
    match: { pathPrefix: / }
    primary: monolith
    preserveHost: \${PRESERVE:-false}
`
  let r = ok(text, { TOKEN: 's3cr3t', HOST: '' })
  t.equal(r.config.listen.port, 8081, 'unquoted default typed as a number')
  t.equal(r.config.listen.host, '::', 'empty variable takes the default')
  t.equal(r.config.admin.token, 's3cr3t')
  t.equal(r.config.logging.diffs, '${LITERAL}/x', '$${...} is literal')
  t.equal(r.config.upstreams.monolith.url, 'http://127.0.0.1:3001')
  t.equal(r.config.routes[0].preserveHost, false)
  const h1 = r.hash
  r = ok(text, { TOKEN: 'other', PORT: '9000', PRESERVE: 'true', MONO_URL: 'http://10.0.0.1:80' })
  t.equal(r.config.listen.port, 9000)
  t.equal(r.config.routes[0].preserveHost, true)
  t.equal(r.config.upstreams.monolith.url, 'http://10.0.0.1:80')
  t.not(r.hash, h1, 'hash follows the environment')
  t.equal(ok(text, { TOKEN: 's3cr3t', HOST: '' }).hash, h1, 'hash is stable')
  t.equal(ok(text, { TOKEN: '' }).config.admin.token, undefined, 'empty token = no token')
})

t.test('env values cannot inject YAML structure', async (t) => {
  const r = ok(BASE + 'admin: { token: "${T}" }\nroutes:\n  - { name: all, match: { pathPrefix: / }, primary: monolith }\n', { T: 'a: b\nroutes: []' })
  t.equal(r.config.admin.token, 'a: b\nroutes: []')
  t.equal(r.config.routes.length, 1)
})

t.test('byte order mark, anchors and merge keys', async (t) => {
  const r = ok('\ufeff' + BASE + `defaults: { shadow: &sh { candidate: orders-svc, sample: 10% } }
routes:
  - { name: a, match: { path: /a }, primary: monolith, shadow: *sh }
  - { name: b, match: { path: /b }, primary: monolith, shadow: { <<: *sh, sample: 20% } }
`)
  t.equal(r.config.routes[0].shadow?.sample, 0.1)
  t.equal(r.config.routes[1].shadow?.sample, 0.2)
})

const SPLIT = BASE + `  billing: { url: http://127.0.0.1:3004 }
routes:
  - name: inv
    match: { pathPrefix: /inv }
    primary: monolith
    shadow: { candidate: orders-svc, sample: 1%, sticky: header:x-user }
    split: { to: billing, weight: 5%, sticky: cookie:session }
  - { name: all, match: { pathPrefix: / }, primary: monolith }
`
const lines = (r: ReturnType<typeof ok>): string[] => r.warnings.map((w) => `${w.line}:${w.col} ${w.path}: ${w.message}`)

t.test('warnings do not block loading', async (t) => {
  t.same(lines(ok(SPLIT)), [
    '10:18 routes[0].split.to: split.to "billing" is not shadow.candidate "orders-svc": live traffic moves to a service that is not the one being verified',
    '10:47 routes[0].split.sticky: split.sticky (cookie:session) differs from shadow.sticky (header:x-user): the users moved live are not the users whose traffic was shadowed; use the same key',
  ])
  const same = SPLIT.replace('to: billing', 'to: orders-svc').replace('sticky: header:x-user', 'sticky: cookie:session')
  t.same(lines(ok(same)), [
    '10:38 routes[0].split.weight: split.weight (5%) is above shadow.sample (1%): some of the traffic moved live was never shadowed; raise the sample first',
  ])
  t.same(lines(ok(same.replace('sample: 1%', 'sample: 5%'))), [])
})
