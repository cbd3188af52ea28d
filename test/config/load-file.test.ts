import t from 'tap'
import { join } from 'node:path'
import { MAX_CONFIG_CHARS, loadConfigFile, loadConfigText } from '../../src/config/load.js'
import { formatConfigIssue } from '../../src/errors.js'

const CONFIG = `upstreams:
  monolith: { url: http://127.0.0.1:3001 }
  svc: { url: http://127.0.0.1:3002 }
routes:
  - name: a
    match: { pathPrefix: / }
    primary: monolith
    shadow: { candidate: svc }
    compare: { comparators: [status, ./comparators/money.js, ../shared/x.js] }
`

t.test('reads a file; comparator modules resolve relative to it', async (t) => {
  const dir = t.testdir({
    conf: { 'shadowfig.yaml': CONFIG, comparators: { 'money.js': 'export default { name: \'ok\', compare: () => \'continue\' }' } },
    shared: { 'x.js': 'export default { name: \'ok\', compare: () => \'continue\' }' },
  })
  const r = await loadConfigFile(join(dir, 'conf', 'shadowfig.yaml'), { env: {} })
  t.equal(r.ok, true)
  if (r.ok) t.same(r.config.routes[0].compare.comparators, ['status', './comparators/money.js', '../shared/x.js'])
})

t.test('a missing module is reported with the absolute path it looked for', async (t) => {
  const dir = t.testdir({ 'shadowfig.yaml': CONFIG })
  const file = join(dir, 'shadowfig.yaml')
  const r = await loadConfigFile(file)
  t.same(r.ok ? [] : r.issues.map(formatConfigIssue), [
    `${file}:9:38 routes[0].compare.comparators[1]: comparator module not found: ${join(dir, 'comparators/money.js')} (paths are relative to the config file)`,
    `${file}:9:62 routes[0].compare.comparators[2]: comparator module not found: ${join(dir, '../shared/x.js')} (paths are relative to the config file)`,
  ])
})

t.test('every module is imported and checked: wrong shape, a throwing module, not JavaScript', async (t) => {
  const dir = t.testdir({
    conf: { 'shadowfig.yaml': CONFIG, comparators: { 'money.js': 'export default {}' } },
    shared: { 'x.js': 'throw new Error("boom")' },
  })
  const file = join(dir, 'conf', 'shadowfig.yaml')
  const r = await loadConfigFile(file)
  t.same(r.ok ? [] : r.issues.map(formatConfigIssue), [
    `${file}:9:38 routes[0].compare.comparators[1]: comparator ${join(dir, 'conf/comparators/money.js')} must default-export { name: string, compare(exchange) }, found an object with no keys; e.g. export default { name: 'money', compare (ex) { return 'continue' } }`,
    `${file}:9:62 routes[0].compare.comparators[2]: comparator module ${join(dir, 'shared/x.js')} cannot be loaded (boom); it must be an ES module that default-exports { name, compare }`,
  ])
  // the text-only loader checks that modules exist, and imports nothing
  const text = loadConfigText(CONFIG, file)
  t.equal(text.ok, true)
})

t.test('unreadable files', async (t) => {
  const dir = t.testdir({ sub: {} })
  let r = await loadConfigFile(join(dir, 'nope.yaml'))
  t.same(r.ok ? [] : r.issues.map(formatConfigIssue), [`${join(dir, 'nope.yaml')}:1:1 cannot read the config file (ENOENT: no such file); check the path (or SHADOWFIG_CONFIG) and its permissions`])
  r = await loadConfigFile(join(dir, 'sub'))
  t.match(r.ok ? '' : r.issues[0].message, /^cannot read the config file \(EISDIR: it is a directory\)/)
})

t.test('oversized input is refused before parsing', async (t) => {
  const text = `listen: { host: "${'h'.repeat(MAX_CONFIG_CHARS)}" }\n`
  const r = loadConfigText(text, 'big.yaml')
  t.same(r.ok ? [] : r.issues.map(formatConfigIssue), [`big.yaml:1:1 the file has ${text.length} characters; a config is limited to 1048576 (1 MiB): is this the right file?`])
})
