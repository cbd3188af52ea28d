/**
 * Every command, spawned as users run it: `--help` / `-h` print the usage on stdout and exit 0;
 * an unknown option is one line on stderr and exit 1. The bench runner (`npm run bench --`)
 * shares the mechanism and is held to the same.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { spawnCli, ROOT } from '../helpers/cli.js'
import { TS_LOADER, childEnv } from '../helpers/ts-loader.js'

interface Run { code: number | null, stdout: string, stderr: string }

async function cli (args: string[]): Promise<Run> {
  const c = spawnCli(args)
  const code = await c.exited
  return { code, stdout: c.stdout(), stderr: c.stderr() }
}

async function bench (args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [...TS_LOADER, 'bench/run.ts', ...args], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''; let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  return { code, stdout, stderr }
}

const COMMANDS: Array<[string[], string]> = [
  [[], 'shadowfig'],
  [['check'], 'shadowfig check'],
  [['demo'], 'shadowfig demo'],
  [['replay'], 'shadowfig replay'],
  [['rollback'], 'shadowfig rollback'],
  [['promote'], 'shadowfig promote'],
]

for (const [command, name] of COMMANDS) {
  t.test(`${name}: --help, -h and an unknown option`, async (t) => {
    const [help, h, bad] = await Promise.all([cli([...command, '--help']), cli([...command, '-h']), cli([...command, '--foo'])])
    t.equal(help.code, 0, help.stderr)
    t.match(help.stdout, new RegExp(`^Usage:\\n  ${name} `))
    t.match(help.stdout, /\n {2}-h, --help +print this help and exit\n/)
    t.equal(help.stderr, '')
    t.same(h, help, '-h is --help')
    t.equal(bad.code, 1)
    t.equal(bad.stderr, `${name}: unknown option --foo (see ${name} --help)\n`, 'one line')
    t.equal(bad.stdout, '')
  })
}

t.test('the root help lists every command', async (t) => {
  const help = await cli(['--help'])
  for (const c of ['check FILE', 'demo', 'replay CAPTURE...', 'rollback ROUTE', 'promote ROUTE']) t.match(help.stdout, `\n  ${c} `)
})

t.test('npm run bench -- --help (bench/run.ts): usage, exit 0, nothing started', async (t) => {
  const [help, bad] = await Promise.all([bench(['--help']), bench(['--foo'])])
  t.equal(help.code, 0, help.stderr)
  t.match(help.stdout, /^Usage:\n {2}npm run bench -- \[options\]\n/)
  t.match(help.stdout, /--quick .*\n/)
  t.equal(help.stderr, '', 'no machine line: it exits before measuring anything')
  t.equal(bad.code, 1)
  t.equal(bad.stderr, 'npm run bench --: unknown option --foo (see npm run bench -- --help)\n')
})
