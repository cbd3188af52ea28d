import t from 'tap'
import { createProgress } from '../../src/replay/progress.js'

function sink (isTTY: boolean): { write: (s: string) => void, isTTY: boolean, text: () => string } {
  let text = ''
  return { write: (s) => { text += s }, isTTY, text: () => text }
}

t.test('plain lines every N records and a closing line', async (t) => {
  const s = sink(false)
  const p = createProgress(s, 5, 2)
  for (let i = 0; i < 5; i++) p.tick(i === 4 ? 1 : 0)
  p.done()
  t.equal(s.text(), 'replay: 2/5 done, 0 unexplained\nreplay: 4/5 done, 0 unexplained\nreplay: 5/5 done, 1 unexplained\n')
  const empty = sink(false)
  createProgress(empty, 0).done()
  t.equal(empty.text(), 'replay: 0/0 done, 0 unexplained\n', 'an empty capture still says so')
})

t.test('a TTY bar redrawn only when the percentage moves', async (t) => {
  const s = sink(true)
  const p = createProgress(s, 400)
  for (let i = 0; i < 400; i++) p.tick(0)
  p.done()
  t.equal(s.text().split('\r').length - 1, 102, 'one draw per percent (0..100) plus the final one')
  t.match(s.text(), /\r\[#{30}\] 400\/400 100%  unexplained 0\n$/)
  const empty = sink(true)
  createProgress(empty, 0).done()
  t.equal(empty.text(), `\r[${'#'.repeat(30)}] 0/0 100%  unexplained 0\n`)
})
