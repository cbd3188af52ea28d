// Reads tap's TAP output on stdin and prints the plain closing line CI recognises:
// `N passed, N failed, N skipped`. Counted: each test point one level inside a test file
// (a `t.test` or top-level assertion); a file that failed without a failing point inside
// (a crash, a timeout) counts as one failure, so a broken file can never read as green.
import { createInterface } from 'node:readline'

let passed = 0; let failed = 0; let skipped = 0; let innerFailsInFile = 0
const rl = createInterface({ input: process.stdin })
rl.on('line', (line) => {
  process.stdout.write(line + '\n')
  let m = /^ {4}(not )?ok \d+/.exec(line)
  if (m) {
    if (/# (SKIP|TODO)/i.test(line)) skipped++
    else if (m[1]) { failed++; innerFailsInFile++ } else passed++
    return
  }
  m = /^(not )?ok \d+/.exec(line)
  if (m) {
    if (m[1] && innerFailsInFile === 0) failed++
    innerFailsInFile = 0
  }
})
rl.on('close', () => { process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`) })
