// Table-driven invalid configs: every issue, its exact message, line and column, all at once.
import t from 'tap'
import { loadConfigText } from '../../src/config/load.js'
import { formatConfigIssue } from '../../src/errors.js'
import { CASES } from './cases.js'

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const r = loadConfigText(c.yaml, 'bad.yaml', { env: c.env ?? {} })
    t.equal(r.ok, false)
    const got = r.ok ? [] : r.issues.map(formatConfigIssue)
    t.same(got, c.issues.map((l) => l.replace('{{cwd}}', process.cwd())))
  })
}
