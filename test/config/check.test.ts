import t from 'tap'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { main } from '../../src/commands/check.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

async function run (args: string[]): Promise<{ code: number, out: string[], err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) })
  return { code, out, err }
}

t.test('every shipped config/*.yaml passes check', async (t) => {
  const files = readdirSync(join(ROOT, 'config')).filter((f) => f.endsWith('.yaml'))
  t.ok(files.includes('example.yaml') && files.includes('shadowfig.yaml'))
  for (const f of files) {
    const file = relative(process.cwd(), join(ROOT, 'config', f))
    const r = await run([file])
    t.same({ code: r.code, err: r.err }, { code: 0, err: [] }, `${f}: ${r.err.join('\n')}`)
    t.match(r.out, [new RegExp(`^${file.replace(/[.]/g, '\\.')}: ok — \\d+ routes?, \\d+ upstreams?, \\d+ shadowed, \\d+ split$`)])
  }
})

t.test('the example\'s summary', async (t) => {
  const r = await run([join(ROOT, 'config/example.yaml')])
  t.same(r.out, [`${join(ROOT, 'config/example.yaml')}: ok — 3 routes, 4 upstreams, 2 shadowed, 1 split`])
})

const UPSTREAMS = 'upstreams:\n  m: { url: http://127.0.0.1:1 }\n  c: { url: http://127.0.0.1:2 }\n'

t.test('errors: exit 1, every error as file:line:col message, then a count', async (t) => {
  const dir = t.testdir({ 'bad.yaml': UPSTREAMS + 'routes:\n  - { name: a, match: { path: /a }, primary: mono }\n  - { name: a, match: { path: /b }, primary: m, sampel: 1 }\n' })
  const file = join(dir, 'bad.yaml')
  const r = await run([file])
  t.equal(r.code, 1)
  t.same(r.out, [])
  t.same(r.err, [
    `${file}:5:46 routes[0].primary: unknown upstream "mono"; known upstreams: m, c. Define it under upstreams: or fix the name`,
    `${file}:6:13 routes[1].name: duplicate route name "a" (routes[0] already uses it); names label metrics and reports, so each must be unique`,
    `${file}:6:49 routes[1].sampel: unknown key "sampel"; allowed here: name, match, primary, preserveHost, maxBodySize, shadow, compare, split, record`,
    `${file}: 3 errors; the config is not valid`,
  ])
  const missing = await run([join(dir, 'nope.yaml')])
  t.equal(missing.code, 1)
  t.same(missing.err.slice(1), [`${join(dir, 'nope.yaml')}: 1 error; the config is not valid`])
})

t.test('warnings: exit 0, warnings on stderr', async (t) => {
  const dir = t.testdir({
    'warn.yaml': UPSTREAMS + 'routes:\n  - { name: a, match: { pathPrefix: / }, primary: m, shadow: { candidate: c, sample: 1% }, split: { to: c, weight: 50% } }\n',
  })
  const file = join(dir, 'warn.yaml')
  const r = await run([file])
  t.equal(r.code, 0)
  t.same(r.out, [`${file}: ok — 1 route, 2 upstreams, 1 shadowed, 1 split`])
  t.same(r.err, [`${file}:5:116 routes[0].split.weight: warning: split.weight (50%) is above shadow.sample (1%): some of the traffic moved live was never shadowed; raise the sample first`])
})

t.test('usage', async (t) => {
  for (const [args, reason] of [[[], 'no FILE given'], [['a.yaml', 'b.yaml'], 'give exactly one FILE'], [['--json', 'a.yaml'], 'unknown option --json']] as const) {
    const r = await run([...args])
    t.equal(r.code, 1, args.join(' '))
    t.same(r.err, [`shadowfig check: ${reason} (see shadowfig check --help)`], 'one line')
  }
  const help = await run(['--help'])
  t.equal(help.code, 0)
  t.match(help.out, [/^Usage:\n {2}shadowfig check FILE\n/])
})
