/** Stylesheet of the `/report` page, served as `/assets/report.css` (CSP forbids inline styles). */
export const REPORT_CSS = `
:root { --fg: #1d232a; --muted: #5c6670; --line: #dde2e7; --bg: #f6f8fa; --bad: #b42318; --badbg: #fdecea;
  --warn: #8a5a00; --warnbg: #fff4d6; --ok: #136c2e; --okbg: #e7f6ec; --info: #4b5563; --infobg: #eef0f3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
header { padding: 16px 32px; border-bottom: 1px solid var(--line); background: var(--bg); }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: var(--muted); }
main { padding: 8px 32px 48px; max-width: 1400px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
h2 small { font-weight: normal; color: var(--muted); font-size: 14px; margin-left: 8px; }
h3 { font-size: 15px; margin: 18px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
h4 { font-size: 14px; margin: 0 0 8px; font-weight: 600; display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
h4 small { color: var(--muted); font-weight: normal; }
a { color: #0b5cad; }
code { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
table { border-collapse: collapse; margin: 4px 0 12px; }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; background: var(--bg); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.mismatch, td.rate { color: var(--bad); font-weight: 600; }
td.candidate_error { color: var(--warn); font-weight: 600; }
section.route { border-top: 2px solid var(--line); margin-top: 32px; }
article.signature { border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 12px 0; }
.verdict { padding: 1px 8px; border-radius: 10px; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.verdict.mismatch { color: var(--bad); background: var(--badbg); }
.verdict.candidate_error { color: var(--warn); background: var(--warnbg); }
.verdict.noise, .verdict.skipped { color: var(--info); background: var(--infobg); }
.sig { color: var(--muted); }
.paths code { background: var(--bg); padding: 0 4px; border-radius: 3px; }
p.request { margin: 0 0 8px; color: var(--muted); }
p.request code { color: var(--fg); }
table.diff { width: 100%; table-layout: fixed; }
table.diff th:nth-child(1) { width: 28%; } table.diff th:nth-child(2) { width: 9%; }
table.diff td.val code { white-space: pre-wrap; word-break: break-all; }
table.diff td.primary { background: var(--badbg); }
table.diff td.candidate { background: var(--okbg); }
details.bodies summary { cursor: pointer; color: var(--muted); margin: 4px 0; }
details.bodies label { font-size: 12px; color: var(--muted); margin-left: 4px; cursor: pointer; }
.jdp { overflow-x: auto; padding: 8px 0; }
.toggle:not(:checked) + label + .jdp .jsondiffpatch-unchanged { display: none; }
.kv { margin-right: 12px; color: var(--muted); white-space: nowrap; } .kv b { color: var(--fg); font-weight: 600; }
.windows { margin-top: 6px; color: var(--muted); } .window { margin: 0 4px; } .window.current { color: var(--fg); }
.readiness { border-radius: 6px; padding: 8px 14px; margin: 8px 0; border: 1px solid var(--line); }
.readiness .state, .readiness-badge { font-weight: 700; text-transform: uppercase; letter-spacing: .03em; font-size: 12px; padding: 1px 8px; border-radius: 10px; }
.readiness.ready, .readiness-badge.ready { background: var(--okbg); color: var(--ok); }
.readiness.not_ready, .readiness-badge.not_ready { background: var(--badbg); color: var(--bad); }
.readiness.insufficient_data, .readiness-badge.insufficient_data { background: var(--infobg); color: var(--info); }
.readiness ul.reasons { margin: 6px 0 0; padding-left: 20px; color: var(--fg); } .readiness p.bound { margin: 6px 0 0; color: var(--fg); }
td.slower { color: var(--bad); font-weight: 600; }
.guard.ok { color: var(--ok); } .guard.tripped { color: var(--bad); font-weight: 600; } div.reason { font-size: 12px; color: var(--muted); }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; } .side pre { background: var(--bg); padding: 8px; overflow-x: auto; max-height: 480px; }
.side.primary h3 { color: var(--bad); } .side.candidate h3 { color: var(--ok); } ul.why { color: var(--fg); }
details.view summary { cursor: pointer; color: var(--muted); margin: 4px 0; } tr:target, article:target { background: var(--warnbg); }
.empty, .note { color: var(--muted); font-style: italic; }
table.diff.forgiven td.primary, table.diff.forgiven td.candidate { background: var(--infobg); }
.jdp li.forgiven pre, .jdp li.forgiven .jsondiffpatch-property-name { background: var(--infobg); text-decoration: none; color: var(--info); }
.forgiven-by { font-size: 11px; font-weight: normal; color: var(--info); border: 1px solid var(--line); border-radius: 8px; padding: 0 6px; }
form.signout { display: inline; }
form.signout button, .signin button { font: inherit; padding: .2em .8em; cursor: pointer; }
.signin input[type=password] { font: inherit; padding: .2em; min-width: 20em; }
.signin .error { color: #b00020; font-weight: bold; }
.field-tree { font-size: 13px; max-width: 760px; } .field-tree details > *:not(summary) { margin-left: 18px; }
.field-tree .row { display: inline-grid; width: calc(100% - 20px); grid-template-columns: 1fr 70px 80px 80px; gap: 8px; padding: 1px 0; vertical-align: top; }
.field-tree .head, .field-tree .leaf { padding-left: 16px; } .field-tree .head { color: var(--muted); font-weight: 600; } .field-tree summary { cursor: pointer; }
.field-tree .failing { color: var(--bad); font-weight: 600; } .field-tree .noisy { color: var(--muted); }
details.endpoint-tree { margin: 6px 0; }
`
