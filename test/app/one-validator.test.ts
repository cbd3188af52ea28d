/**
 * One validator: `shadowfig check`, App.start and a hot reload (POST /api/reload) run the same
 * compile step, so they refuse the same file with the same file:line:col messages, and accept
 * the same warnings.
 */
import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { App } from '../../src/app.js'
import { main as check } from '../../src/commands/check.js'
import { ConfigError } from '../../src/errors.js'
import { httpServer } from '../helpers/servers.js'

const up = await httpServer((_req, res) => { res.end('{}') })
t.teardown(() => up.close())

const HEAD = `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
logging: { level: warn }
upstreams: { p: { url: "${up.url}" }, c: { url: "${up.url}" } }
`
const GOOD = HEAD + 'routes:\n  - { name: r, match: { pathPrefix: / }, primary: p, shadow: { candidate: c } }\n'
const BAD = HEAD + `defaults:
  compare: { redact: ["$..[generated_at"] }
routes:
  - name: r
    match: { pathPrefix: / }
    primary: p
    shadow: { candidate: c, rewrite: { path: { from: "^/v1(", to: /v2 } } }
    compare:
      ignore: ["$.items[?(@.x)]", $.ok]
      arrays: { "$.items[0:2]": { key: id } }
      comparators: [status, ./money.mjs]
`

async function runCheck (file: string): Promise<{ code: number, out: string[], err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const code = await check([file], { out: (s) => out.push(s), err: (s) => err.push(s) })
  return { code, out, err }
}

t.test('check, start and reload refuse the same file with the same messages', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-validator-'))
  writeFileSync(join(dir, 'money.mjs'), 'export default { name: "money" }')
  const file = join(dir, 'c.yaml')
  writeFileSync(file, BAD)
  const expected = [
    `${file}:6:23 defaults.compare.redact[0]: JSONPath "$..[generated_at" has an unclosed [ at character 4; write $..generated_at or $..['generated_at'] (supported: $.a.b, $..key, $.items[*].x, $.items[3], $.a['odd key'])`,
    `${file}:11:54 routes[0].shadow.rewrite.path.from: not a valid regular expression: Invalid regular expression: /^/v1(/: Unterminated group; escape a character meant literally with a backslash (\\( \\[ \\. \\+)`,
    `${file}:13:16 routes[0].compare.ignore[0]: JSONPath "$.items[?(@.x)]" has a filter at character 8: filters ([?(...)]) are not supported; name the field under every item instead, e.g. $.items[*].x (or match items by key with arrays: { $.items: { key: id } }) (supported: $.a.b, $..key, $.items[*].x, $.items[3], $.a['odd key'])`,
    `${file}:14:17 routes[0].compare.arrays["$.items[0:2]"]: JSONPath "$.items[0:2]" has a slice at character 8: slices are not supported; use [*] for every item or [3] for one (supported: $.a.b, $..key, $.items[*].x, $.items[3], $.a['odd key'])`,
    `${file}:15:29 routes[0].compare.comparators[1]: comparator ${join(dir, 'money.mjs')} must default-export { name: string, compare(exchange) }, found an object with name; e.g. export default { name: 'money', compare (ex) { return 'continue' } }`,
  ]

  const checked = await runCheck(file)
  t.equal(checked.code, 1)
  t.same(checked.err, [...expected, `${file}: 5 errors; the config is not valid`])

  const started = await App.start({ configFile: file, signals: false, watch: false, compareThreads: 1, defaultMetrics: false }).then(() => undefined, (err: unknown) => err)
  t.ok(started instanceof ConfigError, 'start throws a ConfigError (the CLI exits 1 with it)')
  t.same((started as ConfigError).message.split('\n'), expected)

  writeFileSync(file, GOOD)
  const lines: Array<Record<string, unknown>> = []
  const app = await App.start({ configFile: file, signals: false, watch: false, compareThreads: 1, defaultMetrics: false, logStream: { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>) } } })
  t.teardown(() => app.shutdown('test'))
  writeFileSync(file, BAD)
  const r = await request(`http://127.0.0.1:${app.adminPort}/api/reload`, { method: 'POST' })
  const body = await r.body.json() as { errors?: string[] }
  t.equal(r.statusCode, 400)
  t.same(body.errors, expected)
  t.same(lines.filter((l) => l.event === 'shadowfig.reload.failed').map((l) => l.errors), [expected])
  t.same(await app.reload('file change'), { ok: false, errors: expected })
})

t.test('warnings: printed by check, logged at start and reload; the file loads', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-validator-'))
  writeFileSync(join(dir, 'plain-file'), 'not a directory')
  const file = join(dir, 'c.yaml')
  const text = HEAD + `routes:
  - name: r
    match: { pathPrefix: / }
    primary: p
    split: { to: c, weight: 5%, guard: { maxMismatchRate: 1% } }
    record: { file: plain-file/captures/r.ndjson }
`
  writeFileSync(file, text)
  const expected = [
    `${file}:9:59 routes[0].split.guard.maxMismatchRate: warning: the route has no shadow: block, so nothing is compared and maxMismatchRate can never trip; add shadow: { candidate: ... } (the split.to service) or remove maxMismatchRate`,
    `${file}:10:21 routes[0].record.file: warning: captures cannot be written: ${join(dir, 'plain-file')} is a file, not a directory (ENOTDIR); point record.file at a writable directory (relative paths start at the config file)`,
  ]
  const checked = await runCheck(file)
  t.equal(checked.code, 0)
  t.same(checked.err, expected)

  const lines: Array<Record<string, unknown>> = []
  const app = await App.start({ configFile: file, signals: false, watch: false, compareThreads: 1, defaultMetrics: false, logStream: { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>) } } })
  t.teardown(() => app.shutdown('test'))
  const warned = (): unknown[] => lines.filter((l) => l.event === 'shadowfig.config.warning').map((l) => `${String(l.warning).replace(/^(\S+ [^:]+: )/, '$1warning: ')}`)
  t.same(warned(), expected)
  writeFileSync(file, text + '# edited\n')
  t.match(await app.reload('file change'), { ok: true })
  t.same(warned(), [...expected, ...expected])
})
