// Reads tap's TAP output on stdin, echoes it, and counts results: each test point one level
// inside a test file (a `t.test` or top-level assertion); a file that failed without a failing
// point inside (a crash, a timeout) counts as one failure, so a broken file never reads green.
//   node .ci/summarize.mjs LABEL OUT.json   → prints `LABEL: N passed, N failed, N skipped`
//                                             and writes the counts to OUT.json
//   node .ci/summarize.mjs --total A.json B.json … → prints the plain closing line for CI
import { readFileSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

const line = (c) => `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`

if (process.argv[2] === '--total') {
  const sum = { passed: 0, failed: 0, skipped: 0 }
  for (const f of process.argv.slice(3)) {
    let c = { passed: 0, failed: 1, skipped: 0 } // a stage that wrote no counts did not finish
    try { c = JSON.parse(readFileSync(f, 'utf8')) } catch {}
    for (const k of Object.keys(sum)) sum[k] += c[k]
  }
  process.stdout.write(`\n${line(sum)}\n`)
} else {
  const [label, out] = process.argv.slice(2)
  const c = { passed: 0, failed: 0, skipped: 0 }
  let innerFailsInFile = 0
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (l) => {
    process.stdout.write(l + '\n')
    let m = /^ {4}(not )?ok \d+/.exec(l)
    if (m) {
      if (/# (SKIP|TODO)/i.test(l)) c.skipped++
      else if (m[1]) { c.failed++; innerFailsInFile++ } else c.passed++
      return
    }
    m = /^(not )?ok \d+/.exec(l)
    if (m) {
      if (m[1] && innerFailsInFile === 0) c.failed++
      innerFailsInFile = 0
    }
  })
  rl.on('close', () => {
    process.stdout.write(`\n${label}: ${line(c)}\n`)
    if (out) writeFileSync(out, JSON.stringify(c))
  })
}
