/**
 * Fuzz of the config loader (`loadConfigText`): random bytes, and structured mutations of
 * config/example.yaml. Bounded in count and in time, seeded (FUZZ_SEED). For every input the
 * loader returns, never throws: either a config, or issues that each carry the file, a line
 * and column inside the text, and a message.
 */
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadConfigText, type LoadResult } from '../../src/config/load.js'
import { Rng, SEED } from './prng.js'

const FILE = fileURLToPath(new URL('../../config/example.yaml', import.meta.url))
const EXAMPLE = readFileSync(FILE, 'utf8')
const ENV = { SHADOWFIG_ADMIN_TOKEN: 'tok', MONOLITH_URL: 'http://127.0.0.1:3001' }
const BUDGET_MS = 15_000

/** The loader's contract on one input; returns 'ok' or 'issues'. */
function check (t: Test, text: string, label: string): 'ok' | 'issues' | 'bad' {
  let r: LoadResult
  try {
    r = loadConfigText(text, FILE, { env: ENV })
  } catch (err) {
    t.fail(`${label}: threw ${(err as Error).stack ?? String(err)}\n--- input ---\n${text}`)
    return 'bad'
  }
  if (r.ok) return Array.isArray(r.config.routes) && r.config.routes.length > 0 ? 'ok' : (t.fail(`${label}: ok without routes`), 'bad')
  const lines = text.split('\n').length
  if (r.issues.length === 0) { t.fail(`${label}: not ok and no issue`); return 'bad' }
  for (const i of r.issues) {
    const where = Number.isInteger(i.line) && Number.isInteger(i.col) && i.line >= 1 && i.col >= 1 && i.line <= lines + 1
    if (i.file !== FILE || !where || typeof i.message !== 'string' || i.message.length === 0 || /\[object Object\]|undefined/.test(i.message)) {
      t.fail(`${label}: malformed issue ${JSON.stringify(i)}\n--- input ---\n${text}`)
      return 'bad'
    }
  }
  return 'issues'
}

const TOKENS = [
  '', '-1', '0', '1e999', 'NaN', '.inf', '~', 'null', 'true', '[]', '{}', '{', '[', '"', "'", '&a', '*a', '*nope',
  '<<: *a', '${X}', '${X:-', '${SHADOWFIG_ADMIN_TOKEN}', '${:-}', '100%', '101%', '-5%', '0.5', '1MiB', '1XiB', '2s',
  '-2s', '99999999999999999999', 'http://', 'ftp://x', '/', '^(', '$', '$..', '$[', '!!binary AA==', '!!js/function x',
  '? complex', '- ', ': ', '#', '|', '>', '\t', '\u0000', '\ufeff', '\u202e', 'x'.repeat(5000), '__proto__', 'constructor',
]

/** One structured edit of a YAML text. */
function mutate (rng: Rng, text: string): string {
  const lines = text.split('\n')
  const i = rng.int(lines.length)
  switch (rng.int(9)) {
    case 0: lines.splice(i, 1); break // delete a line
    case 1: lines.splice(i, 0, lines[rng.int(lines.length)] as string); break // duplicate a line
    case 2: { const j = rng.int(lines.length); [lines[i], lines[j]] = [lines[j] as string, lines[i] as string]; break } // swap
    case 3: lines[i] = ' '.repeat(rng.int(5)) + (lines[i] as string).trimStart(); break // re-indent
    case 4: { // replace a value after a colon
      const l = lines[i] as string
      const c = l.indexOf(':')
      if (c !== -1) lines[i] = l.slice(0, c + 1) + ' ' + rng.pick(TOKENS)
      break
    }
    case 5: { // insert a token inside a line
      const l = lines[i] as string
      const at = rng.int(l.length + 1)
      lines[i] = l.slice(0, at) + rng.pick(TOKENS) + l.slice(at)
      break
    }
    case 6: return text.slice(0, rng.int(text.length)) // truncate
    case 7: lines.splice(i, 0, rng.pick(['---', '...', '%YAML 1.1', 'extra: 1', 'routes: []', 'a: &a [*a]', 'limits: { maxConnections: 0 }'])); break
    default: { // flip one character
      const l = lines[i] as string
      if (l.length > 0) { const at = rng.int(l.length); lines[i] = l.slice(0, at) + String.fromCharCode(rng.int(128)) + l.slice(at + 1) }
    }
  }
  return lines.join('\n')
}

t.test(`config loader fuzz (seed ${SEED})`, async (t) => {
  t.equal(check(t, EXAMPLE, 'example'), 'ok', 'the unmutated example loads')
  const rng = new Rng(SEED)
  const started = Date.now()
  const counts = { ok: 0, issues: 0, bad: 0, cases: 0 }
  const tally = (r: 'ok' | 'issues' | 'bad'): void => { counts[r]++; counts.cases++ }

  for (let n = 0; n < 300 && Date.now() - started < BUDGET_MS / 3; n++) {
    const raw = rng.bytes(rng.int(400))
    tally(check(t, n % 2 === 0 ? raw.toString('latin1') : raw.toString('utf8'), `random bytes #${n}`))
  }
  for (let n = 0; n < 600 && Date.now() - started < BUDGET_MS; n++) {
    let text = EXAMPLE
    const edits = 1 + rng.int(3)
    for (let e = 0; e < edits; e++) text = mutate(rng, text)
    tally(check(t, text, `mutation #${n}`))
  }
  t.comment(`${counts.cases} inputs in ${Date.now() - started} ms: ${counts.ok} loaded, ${counts.issues} with issues`)
  t.equal(counts.bad, 0, 'every input: a config or positioned issues')
  t.ok(counts.ok > 0 && counts.issues > 0, 'the mutations reach both outcomes')
})

t.test('hostile YAML: alias bombs, deep nesting, huge scalars give issues', async (t) => {
  const laughs = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
  for (let i = 0; i < 9; i++) laughs.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)
  const inputs: Record<string, string> = {
    'billion laughs': laughs.join('\n') + '\n',
    'deep flow nesting': '['.repeat(5000) + ']'.repeat(5000),
    'deep block nesting': Array.from({ length: 500 }, (_, i) => ' '.repeat(i) + `k${i}:`).join('\n') + ' 1\n',
    'huge scalar': `listen: { host: "${'h'.repeat(2_000_000)}" }\n`,
    'merge key loop': 'a: &a\n  <<: *a\n',
  }
  for (const [name, text] of Object.entries(inputs)) t.equal(check(t, text, name), 'issues', name)
})
