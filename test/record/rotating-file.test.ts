import t from 'tap'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { RotatingFile } from '../../src/record/rotating-file.js'
import { tempDir } from './helpers.js'

t.test('rotates at maxFileSize and keeps at most maxFiles files', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'cap.ndjson')
  const f = new RotatingFile({ file, maxFileSize: 100, maxFiles: 3 })
  // 20 lines of 25 bytes: 4 per file, 5 files' worth, only 3 may remain.
  for (let i = 0; i < 20; i++) t.equal(f.write(`line-${String(i).padStart(2, '0')}-${'x'.repeat(15)}`), true)
  await f.close()
  const names = (await readdir(dir)).sort()
  t.same(names, ['cap.ndjson', 'cap.ndjson.1', 'cap.ndjson.2'])
  for (const n of names) {
    const text = await readFile(join(dir, n), 'utf8')
    t.ok(Buffer.byteLength(text) <= 100, `${n} within maxFileSize`)
  }
  // Newest lines live in the live file, the oldest kept ones in the highest suffix.
  t.match(await readFile(file, 'utf8'), /^line-16-/)
  t.match(await readFile(join(dir, 'cap.ndjson.2'), 'utf8'), /^line-08-/)
  t.equal(f.stats.written, 20)
  t.equal(f.write('after close'), false)
  t.equal(f.stats.dropped.closed, 1)
})

t.test('maxFiles 1 starts the file over and appends to an existing file', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'one.ndjson')
  await writeFile(file, 'old\n')
  const f = new RotatingFile({ file, maxFileSize: 20, maxFiles: 1 })
  f.write('a'.repeat(10))
  await f.flush()
  t.equal(await readFile(file, 'utf8'), 'old\n' + 'a'.repeat(10) + '\n')
  f.write('b'.repeat(10))
  await f.close()
  t.same(await readdir(dir), ['one.ndjson'])
  t.equal(await readFile(file, 'utf8'), 'b'.repeat(10) + '\n')
})

t.test('drops instead of queueing without bound, and drops oversized lines', async (t) => {
  const dir = await tempDir(t)
  const f = new RotatingFile({ file: join(dir, 'q.ndjson'), maxFileSize: 1000, maxFiles: 2, maxQueueBytes: 100 })
  let accepted = 0
  for (let i = 0; i < 10; i++) if (f.write('y'.repeat(39))) accepted++
  t.equal(accepted, 2, 'only what fits in the queue bound is accepted while the disk is busy')
  t.equal(f.stats.dropped.queue_full, 8)
  t.equal(f.write('z'.repeat(2000)), false)
  t.equal(f.stats.dropped.record_too_large, 1)
  await f.close()
  t.equal((await readFile(join(dir, 'q.ndjson'), 'utf8')).split('\n').length - 1, 2)
})

t.test('an I/O error drops the batch, is counted, and never throws', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'not-a-dir'), '')
  const f = new RotatingFile({ file: join(dir, 'not-a-dir', 'c.ndjson'), maxFileSize: 1000, maxFiles: 2 })
  t.equal(f.write('one'), true)
  await f.flush()
  t.equal(f.write('two'), true)
  await f.close()
  t.equal(f.stats.dropped.io_error, 2)
  t.equal(f.stats.written, 0)
  t.match(f.stats.lastError, /ENOTDIR|EEXIST/)
})

t.test('a failed write (disk full) or a failed rotation drops and counts, then carries on', { skip: existsSync('/dev/full') ? false : 'no /dev/full' }, async (t) => {
  const full = new RotatingFile({ file: '/dev/full', maxFileSize: 1000, maxFiles: 1 })
  full.write('a')
  full.write('b')
  await full.close()
  t.equal(full.stats.dropped.io_error, 2, 'the whole batch is dropped')
  t.match(full.stats.lastError, /ENOSPC/)

  const dir = await tempDir(t)
  const file = join(dir, 'r.ndjson')
  // file.1 is a non-empty directory: the rename that rotates into it fails (not ENOENT).
  await mkdir(join(dir, 'r.ndjson.1', 'x'), { recursive: true })
  const f = new RotatingFile({ file, maxFileSize: 10, maxFiles: 2 })
  f.write('12345678')
  await f.flush()
  f.write('abcdefgh')
  await f.close()
  t.equal(f.stats.written, 1)
  t.equal(f.stats.dropped.io_error, 1)
  t.match(f.stats.lastError, /EISDIR|ENOTEMPTY|EEXIST/)
})
