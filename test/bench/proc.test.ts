// Process plumbing of the bench: spawning TypeScript entries (pinned or not), the backend and
// load-generator entries end to end, /proc CPU and peak-RSS readings, and stopping children.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { nodeCommand, placed, spawnNode, runJson, waitForLine, stop, benchFile, processTree, cpuSeconds, peakRssBytes, resetPeakRss, threadCpuSeconds, threadTimes, splitByName, userSystem } from '../../bench/proc.js'
import type { LoadResult } from '../../bench/loadgen.js'

// tap instruments child processes too, and this file runs under tap's TypeScript loader:
// children started under tsx would report coverage of the same sources from a different
// transpilation, merged into nonsense (seen: closedPort "never called"). So the entries are
// started here under tap's loader instead of tsx.
const sameLoader = { tsx: false, nodeArgs: ['--import', import.meta.resolve('@tapjs/typescript/import')] }

const fixture = fileURLToPath(new URL('./fixtures/child.ts', import.meta.url))
const GONE = 2 ** 22 + 12345 // above the default pid_max: never a live process

t.test('nodeCommand runs the entry under tsx, through taskset when pinned', async (t) => {
  t.same(nodeCommand('/x.ts', ['a']), [process.execPath, ['--import', 'tsx', '/x.ts', 'a']])
  t.same(nodeCommand('/x.js', [], { tsx: false }), [process.execPath, ['/x.js']], 'plain JavaScript runs without tsx')
  t.same(nodeCommand('/x.ts', [], { cpus: '1', nodeArgs: ['--cpu-prof'] }), ['taskset', ['-c', '1', process.execPath, '--cpu-prof', '--import', 'tsx', '/x.ts']])
  t.same(nodeCommand('/x.ts', [], { cpus: '0,1', nice: -5 }), ['nice', ['-n', '-5', 'taskset', '-c', '0,1', process.execPath, '--import', 'tsx', '/x.ts']])
  t.same(placed(['nginx', '-t'], { nice: 0, rt: false }), ['nginx', ['-t']], 'nice 0 changes nothing')
  t.same(placed(['nginx'], { rt: true }), ['chrt', ['-f', '10', 'nginx']])
})

t.test('backend and generator entries run as their own processes', async (t) => {
  const be = spawnNode(benchFile('backend-main.ts'), [JSON.stringify([{ variant: 'primary' }, { variant: 'candidate' }])], { ...sameLoader, cpus: '0' })
  t.teardown(() => stop(be))
  const m = await waitForLine(be, /\{"ports":\[(\d+),(\d+)\]\}/)
  const pid = be.pid as number
  t.ok(processTree(process.pid).includes(pid), 'the backend is in our process tree')

  t.ok(resetPeakRss(pid), 'root may reset the peak-RSS watermark')
  const cpu0 = cpuSeconds(pid)
  const r = await runJson<LoadResult>(benchFile('loadgen-main.ts'), { url: `http://127.0.0.1:${m[2]}/json/1024`, mode: 'open', rate: 100, connections: 4, durationMs: 200, warmupMs: 0 }, sameLoader)
  t.equal(r.completed, 20)
  t.equal(r.bytesPerResponse, 1024)
  t.ok(cpuSeconds(pid) >= cpu0, 'CPU time only grows')
  t.ok(peakRssBytes(pid) > 1024 * 1024, 'a node process has MiBs resident')

  await stop(be)
  t.equal(be.signalCode ?? be.exitCode, 0, 'backend exits cleanly on SIGTERM')
  await stop(be) // already stopped: resolves at once
})

t.test('runJson rejects on a failing entry and on output that is not JSON', async (t) => {
  await t.rejects(runJson(benchFile('loadgen-main.ts'), { url: 'http://127.0.0.1:1/', mode: 'open', connections: 1, durationMs: 10, warmupMs: 0 }, sameLoader), /exited with 1/)
  await t.rejects(runJson(fixture, 'text', sameLoader), /printed no JSON: not json/)
})

t.test('waitForLine rejects when the process exits first; stop kills a child that ignores SIGTERM', async (t) => {
  const quick = spawnNode(fixture, ['"text"'], sameLoader)
  await t.rejects(waitForLine(quick, /never/), /exited \(0\) before printing/)
  const stubborn = spawnNode(fixture, ['"stubborn"'], sameLoader)
  await waitForLine(stubborn, /ready/)
  await stop(stubborn, 200)
  t.equal(stubborn.signalCode, 'SIGKILL')
})

t.test('readings of a process that is gone are zero, not errors', async (t) => {
  t.same(processTree(GONE), [GONE])
  t.equal(cpuSeconds(GONE), 0)
  t.equal(peakRssBytes(GONE), 0)
  t.equal(resetPeakRss(GONE), false)
})

t.test('thread CPU from schedstat grows with work and is zero for a process that is gone', async (t) => {
  const before = threadCpuSeconds(process.pid)
  const until = performance.now() + 50
  while (performance.now() < until) { /* burn 50 ms of CPU */ }
  const used = threadCpuSeconds(process.pid) - before
  t.ok(used >= 0.02, `at least 20 ms of the 50 ms spin is seen: ${used}`)
  t.equal(threadCpuSeconds(GONE), 0)
})

t.test('thread times name the main thread and a reniced thread; the split is per 1,000 requests', async (t) => {
  const { Worker } = await import('node:worker_threads')
  // A thread that renices itself the way comparison threads do, then spins until told to stop.
  const w = new Worker(`
    const { parentPort } = require('node:worker_threads')
    const { execFileSync } = require('node:child_process')
    const tid = require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()
    execFileSync('renice', ['-n', '10', '-p', tid])
    parentPort.postMessage(Number(tid))
    const until = Date.now() + 80
    while (Date.now() < until) {}
  `, { eval: true })
  const tid = await new Promise<number>((resolve) => w.once('message', resolve))
  const before = threadTimes(process.pid)
  await new Promise((resolve) => w.once('exit', resolve))
  // 30 ms of CPU (not of wall time: on a busy machine a spin is preempted).
  const cpu0 = process.cpuUsage()
  const spent = (): number => { const u = process.cpuUsage(cpu0); return (u.user + u.system) / 1000 }
  while (spent() < 30) { /* spin on the main thread */ }
  const after = threadTimes(process.pid)
  t.match(before.get(process.pid)?.name, 'main (client thread)')
  t.match(before.get(tid)?.name, /at nice 10 \(comparison threads\)$/, 'the reniced thread is told apart')
  const split = new Map(splitByName(before, after, 2000))
  const main = split.get('main (client thread)') as number
  t.ok(main >= 10, `most of the main thread's 30 ms spin, per 1k of 2,000 requests: ${main} ms`)
  t.same([...split.values()], [...split.values()].sort((a, b) => b - a), 'largest first')
  const us = userSystem(process.pid)
  t.ok(us.user > 0 && us.system >= 0, 'user and system seconds of this process')
})
