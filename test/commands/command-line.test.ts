/** The shared command-line mechanism, in process: usage text, one-line failures, exit codes. */
import t from 'tap'
import { defineCommand, formatUsage, parseCommandLine, runCommand } from '../../src/commands/command-line.js'
import { UsageError } from '../../src/errors.js'

const SPEC = defineCommand({
  name: 'shadowfig try',
  synopsis: ['FILE... [options]'],
  summary: 'A command for this test.',
  positionals: true,
  options: {
    config: { type: 'string', short: 'c', value: 'FILE', help: 'the config' },
    json: { type: 'boolean', help: 'print JSON' },
    header: { type: 'string', multiple: true, help: 'a header (repeatable)' },
  },
  notes: 'Exit codes: 0 ok.',
})

function io (): { stdout: { write (s: string): void }, stderr: { write (s: string): void }, out: string[], err: string[] } {
  const out: string[] = []
  const err: string[] = []
  return { stdout: { write: (s) => { out.push(s) } }, stderr: { write: (s) => { err.push(s) } }, out, err }
}

t.test('the usage lists every option with its line, -h/--help included', async (t) => {
  t.equal(formatUsage(SPEC), [
    'Usage:',
    '  shadowfig try FILE... [options]',
    '',
    'A command for this test.',
    '',
    'Options:',
    '  -c, --config FILE   the config',
    '      --json          print JSON',
    '      --header VALUE  a header (repeatable)',
    '  -h, --help          print this help and exit',
    '',
    'Exit codes: 0 ok.',
    '',
  ].join('\n'))
})

t.test('--help and -h print the usage on stdout and exit 0 without running the command', async (t) => {
  for (const flag of ['--help', '-h']) {
    const o = io()
    let ran = false
    t.equal(await runCommand(SPEC, ['x', flag, '--json'], o, async () => { ran = true; return 0 }), 0, flag)
    t.same(o.out, [formatUsage(SPEC)])
    t.same(o.err, [])
    t.notOk(ran)
  }
})

t.test('what parseArgs refuses is one stderr line naming the command and its --help; exit 1', async (t) => {
  const cases: Array<[string[], string]> = [
    [['--foo'], 'unknown option --foo'],
    [['-x'], 'unknown option -x'],
    [['--json=yes'], '--json takes no value'],
    [['--config'], '--config needs a value'],
    [['--config', '--json'], '--config needs a value (one starting with - is written --config=-…)'],
  ]
  for (const [args, reason] of cases) {
    const o = io()
    t.equal(await runCommand(SPEC, args, o, async () => 0), 1, args.join(' '))
    t.same(o.err, [`shadowfig try: ${reason} (see shadowfig try --help)\n`], args.join(' '))
    t.same(o.out, [])
  }
  const none = defineCommand({ ...SPEC, positionals: false })
  t.throws(() => parseCommandLine(none, ['extra']), new UsageError('unexpected argument extra'))
})

t.test('values are typed and parsed; a UsageError from the command is the same one line', async (t) => {
  const line = parseCommandLine(SPEC, ['a', '-c', 'x.yaml', '--header', 'h: 1', '--header', 'h: 2', 'b'])
  t.same({ ...line.values }, { config: 'x.yaml', header: ['h: 1', 'h: 2'] })
  t.same(line.positionals, ['a', 'b'])
  const o = io()
  t.equal(await runCommand(SPEC, [], o, async ({ positionals }) => { if (positionals.length === 0) throw new UsageError('no FILE given'); return 0 }), 1)
  t.same(o.err, ['shadowfig try: no FILE given (see shadowfig try --help)\n'])
  t.equal(await runCommand(SPEC, ['a'], io(), async () => 7), 7, "the command's own exit code")
})

t.test('any other error is the command\'s to report, not a usage failure', async (t) => {
  await t.rejects(runCommand(SPEC, ['a'], io(), async () => { throw new Error('disk on fire') }), { message: 'disk on fire' })
})
