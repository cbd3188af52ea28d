/** Invalid config cases for load-invalid.test.ts: each YAML with every issue it must produce, exactly. */
export const HEAD = `upstreams:
  monolith: { url: http://127.0.0.1:3001 }
  orders-svc: { url: http://127.0.0.1:3002 }
routes:
`
// HEAD is 4 lines: the first route is on line 5.
const ALL = '  - { name: all, match: { pathPrefix: / }, primary: monolith }\n'

export interface Case { name: string, yaml: string, env?: Record<string, string>, issues: string[] }

export const CASES: Case[] = [
  {
    name: 'unknown key, with the closest known key',
    yaml: HEAD + `  - name: a
    match: { path: /a }
    primary: monolith
    shadow: { candidate: orders-svc, sampel: 20% }
`,
    issues: [
      'bad.yaml:8:38 routes[0].shadow.sampel: unknown key "sampel" (did you mean "sample"?); allowed here: candidate, secondary, sample, sticky, methods, allowWrites, dispatch, maxInFlight, maxBodySize, timeout, circuit, rewrite',
    ],
  },
  {
    name: 'wrong types and units',
    yaml: `listen: { port: "8080" }
upstreams:
  monolith: { url: ftp://x, connections: many, timeout: 5 sec }
routes:
  - name: a b
    match: { path: /a, methods: [GTE] }
    primary: monolith
    maxBodySize: 1 megabyte
    preserveHost: yes
`,
    issues: [
      'bad.yaml:1:17 listen.port: expected a number, found "8080"',
      'bad.yaml:3:20 upstreams.monolith.url: expected an http:// or https:// URL such as http://127.0.0.1:3001, found "ftp://x"',
      'bad.yaml:3:42 upstreams.monolith.connections: expected a number, found "many"',
      'bad.yaml:3:57 upstreams.monolith.timeout: expected a duration such as 250ms, 2s, 5m or 1h, found "5 sec"',
      'bad.yaml:5:11 routes[0].name: expected a name of letters, digits, _ . -, found "a b"',
      'bad.yaml:6:34 routes[0].match.methods[0]: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE; found "GTE"',
      'bad.yaml:8:18 routes[0].maxBodySize: expected a size such as 512, 64KiB or 1MiB, found "1 megabyte"',
      'bad.yaml:9:19 routes[0].preserveHost: expected true or false, found "yes"',
    ],
  },
  {
    name: 'out of range shares and numbers',
    yaml: HEAD + `  - name: a
    match: { pathPrefix: / }
    primary: monolith
    shadow: { candidate: orders-svc, sample: 150%, maxInFlight: 0 }
    split: { to: orders-svc, weight: 1.5 }
`,
    issues: [
      'bad.yaml:8:46 routes[0].shadow.sample: a percentage must be between 0% and 100%, found "150%"',
      'bad.yaml:8:65 routes[0].shadow.maxInFlight: expected a number above 0, found 0',
      'bad.yaml:9:38 routes[0].split.weight: expected a number at most 1, found 1.5',
    ],
  },
  {
    name: 'a climb that does not go up',
    yaml: HEAD + `  - name: a
    match: { pathPrefix: / }
    primary: monolith
    split: { to: orders-svc, weight: 5%, steps: [5%, 20%, 10%, 100%], stepAfter: 10m, approval: manual }
`,
    issues: [
      'bad.yaml:8:50 routes[0].split.steps[0]: each step must be above the starting weight (5%), found "5%"',
      'bad.yaml:8:59 routes[0].split.steps[2]: each step must be above the previous step (20%), found "10%"',
    ],
  },
  {
    name: 'a top-level state block takes a directory',
    yaml: 'state: { file: climbs.json }\n' + HEAD + ALL,
    issues: [
      'bad.yaml:1:8 state.dir: missing: expected a string',
      'bad.yaml:1:10 state.file: unknown key "file"; allowed here: dir',
    ],
  },
  {
    name: 'climb settings with bad units',
    yaml: HEAD + `  - name: a
    match: { pathPrefix: / }
    primary: monolith
    split: { to: orders-svc, weight: 1%, steps: [5%, 120%], stepAfter: 1 hour, approval: sometimes }
`,
    issues: [
      'bad.yaml:8:54 routes[0].split.steps[1]: a percentage must be between 0% and 100%, found "120%"',
      'bad.yaml:8:72 routes[0].split.stepAfter: expected a duration such as 250ms, 2s, 5m or 1h, found "1 hour"',
      'bad.yaml:8:90 routes[0].split.approval: expected one of auto, manual; found "sometimes"',
    ],
  },
  {
    name: 'missing required keys and empty lists',
    yaml: `upstreams:
  monolith: {}
routes: []
`,
    issues: [
      'bad.yaml:2:13 upstreams.monolith.url: missing: expected a string',
      'bad.yaml:3:9 routes: expected at least one item, found an empty list',
    ],
  },
  {
    name: 'missing primary and match',
    yaml: HEAD + `  - name: a
    shadow: { candidate: orders-svc }
`,
    issues: [
      'bad.yaml:5:5 routes[0].match: missing: expected a mapping (key: value)',
      'bad.yaml:5:5 routes[0].primary: missing: expected a string',
    ],
  },
  {
    name: 'unknown upstreams everywhere a route names one',
    yaml: HEAD + `  - name: a
    match: { path: /a }
    primary: monolit
    shadow: { candidate: order-svc, secondary: nope }
    split: { to: billing, weight: 5% }
`,
    issues: [
      'bad.yaml:7:14 routes[0].primary: unknown upstream "monolit" (did you mean "monolith"?); known upstreams: monolith, orders-svc. Define it under upstreams: or fix the name',
      'bad.yaml:8:26 routes[0].shadow.candidate: unknown upstream "order-svc" (did you mean "orders-svc"?); known upstreams: monolith, orders-svc. Define it under upstreams: or fix the name',
      'bad.yaml:8:48 routes[0].shadow.secondary: unknown upstream "nope"; known upstreams: monolith, orders-svc. Define it under upstreams: or fix the name',
      'bad.yaml:9:18 routes[0].split.to: unknown upstream "billing"; known upstreams: monolith, orders-svc. Define it under upstreams: or fix the name',
    ],
  },
  {
    name: 'duplicate route names',
    yaml: HEAD + `  - { name: a, match: { path: /a }, primary: monolith }
  - { name: a, match: { path: /b }, primary: monolith }
`,
    issues: [
      'bad.yaml:6:13 routes[1].name: duplicate route name "a" (routes[0] already uses it); names label metrics and reports, so each must be unique',
    ],
  },
  {
    name: 'routes shadowed by an earlier, broader route',
    yaml: HEAD + ALL + `  - { name: orders, match: { path: /orders/:id }, primary: monolith }
`,
    issues: [
      'bad.yaml:6:28 routes[1].match: this route can never match: routes[0] ("all") comes first and matches every request this one matches (first match wins); move this route above it, or narrow "all"',
    ],
  },
  {
    name: 'routes shadowed: prefix over template, template over template, predicates',
    yaml: HEAD + `  - { name: api, match: { pathPrefix: /api, methods: [GET, POST] }, primary: monolith }
  - { name: get-order, match: { path: /api/orders/:id, methods: [GET] }, primary: monolith }
  - { name: any-order, match: { path: /api/orders/:id }, primary: monolith }
  - { name: u, match: { path: /u/:id }, primary: monolith }
  - { name: u2, match: { path: /u/42, headers: { x-a: "1" } }, primary: monolith }
  - { name: canary, match: { pathPrefix: /, headers: { x-canary: "*" } }, primary: monolith }
  - { name: canary-1, match: { pathPrefix: /c, headers: { X-Canary: "1" } }, primary: monolith }
  - { name: static, match: { path: /s/* }, primary: monolith }
  - { name: static-deep, match: { pathPrefix: /s/x }, primary: monolith }
  - { name: static-root, match: { pathPrefix: /s }, primary: monolith }
`,
    issues: [
      'bad.yaml:6:31 routes[1].match: this route can never match: routes[0] ("api") comes first and matches every request this one matches (first match wins); move this route above it, or narrow "api"',
      'bad.yaml:9:24 routes[4].match: this route can never match: routes[3] ("u") comes first and matches every request this one matches (first match wins); move this route above it, or narrow "u"',
      'bad.yaml:11:30 routes[6].match: this route can never match: routes[5] ("canary") comes first and matches every request this one matches (first match wins); move this route above it, or narrow "canary"',
      'bad.yaml:13:33 routes[8].match: this route can never match: routes[7] ("static") comes first and matches every request this one matches (first match wins); move this route above it, or narrow "static"',
    ],
  },
  {
    name: 'path patterns',
    yaml: HEAD + `  - { name: a, match: { path: /a, pathPrefix: /a }, primary: monolith }
  - { name: b, match: { methods: [GET] }, primary: monolith }
  - { name: c, match: { path: /a/*/b }, primary: monolith }
  - { name: d, match: { path: /a/:id/:id }, primary: monolith }
  - { name: e, match: { pathPrefix: api }, primary: monolith }
`,
    issues: [
      'bad.yaml:5:23 routes[0].match: set either match.path or match.pathPrefix, not both',
      'bad.yaml:6:23 routes[1].match: match needs a path (template such as /orders/:id) or a pathPrefix (use pathPrefix: / for a catch-all)',
      'bad.yaml:7:31 routes[2].match.path: "*" is only allowed as the whole last segment (found in "/a/*/b"); use :name for one segment',
      'bad.yaml:8:31 routes[3].match.path: parameter ":id" appears twice in "/a/:id/:id"',
      'bad.yaml:9:37 routes[4].match.pathPrefix: expected a value starting with "/", found "api"',
    ],
  },
  {
    name: 'routes that contradict themselves',
    yaml: HEAD + `  - name: a
    match: { path: /a }
    primary: monolith
    shadow: { candidate: monolith, secondary: monolith, methods: [GET, POST, DELETE] }
    split: { to: monolith, weight: 5% }
  - name: b
    match: { path: /b }
    primary: monolith
    shadow: { candidate: orders-svc, secondary: orders-svc }
`,
    issues: [
      'bad.yaml:8:26 routes[0].shadow.candidate: the candidate is the route\'s primary ("monolith"): mirroring would double its traffic and compare it with itself; name the new service here',
      'bad.yaml:8:47 routes[0].shadow.secondary: the secondary is the candidate: the secondary must be a second instance of the primary (it tells noise from real differences)',
      'bad.yaml:8:66 routes[0].shadow.methods: POST, DELETE listed but allowWrites is false: unsafe methods are never mirrored (the candidate would write twice); remove them, or set allowWrites: true if the candidate writes to its own store',
      'bad.yaml:9:18 routes[0].split.to: split.to is the route\'s primary ("monolith"): no traffic would move; name the new service',
      'bad.yaml:13:49 routes[1].shadow.secondary: the secondary is the candidate: the secondary must be a second instance of the primary (it tells noise from real differences)',
    ],
  },
  {
    name: 'comparators and regular expressions',
    yaml: HEAD + `  - name: a
    match: { path: /a }
    primary: monolith
    shadow:
      candidate: orders-svc
      rewrite: { path: { from: "^/api(", to: /v2 } }
    compare:
      comparators: [status, jsn, money, ./nope.js]
      masks: [uuid, { name: order, pattern: "ORD-[0-9+" }, uuuid]
`,
    issues: [
      'bad.yaml:10:32 routes[0].shadow.rewrite.path.from: not a valid regular expression: Invalid regular expression: /^/api(/: Unterminated group; escape a character meant literally with a backslash (\\( \\[ \\. \\+)',
      'bad.yaml:12:29 routes[0].compare.comparators[1]: unknown comparator "jsn" (did you mean "json"?); built-in: status, headers, json, text, bytes; a custom one is a module path starting with ./ ../ or /',
      'bad.yaml:12:34 routes[0].compare.comparators[2]: unknown comparator "money"; built-in: status, headers, json, text, bytes; a custom one is a module path starting with ./ ../ or /',
      'bad.yaml:12:41 routes[0].compare.comparators[3]: comparator module not found: {{cwd}}/nope.js (paths are relative to the config file)',
      'bad.yaml:13:45 routes[0].compare.masks[1].pattern: not a valid regular expression: Invalid regular expression: /ORD-[0-9+/g: Unterminated character class; escape a character meant literally with a backslash (\\( \\[ \\. \\+)',
      'bad.yaml:13:60 routes[0].compare.masks[2]: expected uuid, iso8601, epoch, or { name: NAME, pattern: REGEX }, found "uuuid"',
    ],
  },
  {
    name: 'environment variables',
    yaml: `admin:
  token: "\${ADMIN_TOKEN}"
  port: \${ADMIN_PORT}
logging: { diffs: "\${DIFFS" }
upstreams:
  monolith: { url: "\${MONO:-http://127.0.0.1:3001}" }
routes:
  - { name: "\${1X}", match: { pathPrefix: / }, primary: monolith }
`,
    issues: [
      'bad.yaml:2:10 admin.token: environment variable ADMIN_TOKEN is not set: export it, or give a default with ${ADMIN_TOKEN:-value}',
      'bad.yaml:3:9 admin.port: environment variable ADMIN_PORT is not set: export it, or give a default with ${ADMIN_PORT:-value}',
      'bad.yaml:4:19 logging.diffs: "${DIFFS" is not closed: write ${NAME} or ${NAME:-default}',
      'bad.yaml:8:13 routes[0].name: "${1X}" is not a variable reference: write ${NAME} or ${NAME:-default} (NAME: letters, digits, _)',
    ],
  },
  {
    name: 'a bad value in defaults is reported once, where it is written',
    yaml: `upstreams:
  monolith: { url: http://127.0.0.1:3001 }
  orders-svc: { url: http://127.0.0.1:3002 }
defaults:
  shadow: { sample: 5 percent, maxBodySize: 1MiB }
  compare: { ignore: [items] }
routes:
  - { name: a, match: { path: /a }, primary: monolith, shadow: { candidate: orders-svc } }
  - { name: b, match: { path: /b }, primary: monolith, shadow: { candidate: orders-svc } }
`,
    issues: [
      'bad.yaml:5:21 defaults.shadow.sample: expected a share such as 20% or 0.2, found "5 percent"',
      'bad.yaml:6:23 defaults.compare.ignore[0]: expected a value starting with "$", found "items"',
    ],
  },
  {
    name: 'secrets are never echoed',
    yaml: HEAD.replace('routes:\n', 'admin: { token: 12345 }\nroutes:\n') + ALL,
    issues: [
      'bad.yaml:4:17 admin.token: expected a string, found a number (value hidden)',
    ],
  },
  {
    name: 'YAML syntax: bad indentation',
    yaml: HEAD + `  - name: a
     match: { path: /a }
    primary: monolith
`,
    issues: [
      'bad.yaml:5:11 YAML syntax: Nested mappings are not allowed in compact mappings',
    ],
  },
  {
    name: 'YAML syntax: duplicate key',
    yaml: HEAD + `  - name: a
    match: { path: /a }
    name: b
    primary: monolith
`,
    issues: [
      'bad.yaml:7:5 YAML syntax: Map keys must be unique',
    ],
  },
  {
    name: 'YAML syntax: unquoted ${VAR} in a flow mapping',
    yaml: 'admin: { token: ${T} }\n',
    issues: [
      'bad.yaml:1:18 YAML syntax: Unexpected flow-map-start at node end (a ${VAR} inside { } or [ ] must be quoted: token: "${VAR}")',
    ],
  },
  {
    name: 'bad keys in maps',
    yaml: `upstreams:
  "bad name!": { url: http://x }
  m: { url: http://x }
routes:
  - name: a
    match: { pathPrefix: / }
    primary: m
    compare: { arrays: { $.items: { kye: id }, items: { key: id } }, numbers: { precision: 2.5 } }
`,
    issues: [
      'bad.yaml:2:3 upstreams["bad name!"]: bad key "bad name!": expected a name of letters, digits, _ . -',
      'bad.yaml:8:35 routes[0].compare.arrays["$.items"]: expected { key: FIELD } (match items by that field) or { unordered: true }, found a mapping',
      'bad.yaml:8:48 routes[0].compare.arrays.items: bad key "items": expected a key starting with "$"',
      'bad.yaml:8:92 routes[0].compare.numbers.precision: expected a whole number, found 2.5',
    ],
  },
  { name: 'empty file', yaml: '# nothing yet\n', issues: ['bad.yaml:1:1 the file is empty: a config needs at least upstreams: and routes: (see config/example.yaml)'] },
  { name: 'a list instead of a mapping', yaml: '- a\n- b\n', issues: ['bad.yaml:1:1 expected a mapping (key: value), found a list'] },
  { name: 'two documents', yaml: 'a: 1\n---\nb: 2\n', issues: ['bad.yaml:2:1 YAML syntax: the file holds more than one YAML document (---); a config is a single document'] },
]
