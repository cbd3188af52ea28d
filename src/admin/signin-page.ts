/**
 * The pages a browser gets instead of a JSON error on the report pages: a sign-in form when a
 * token is configured, and when none is, a 403 page saying how to configure `admin.token`.
 * The form posts to `/report/signin` (same origin; the CSP allows `form-action 'self'`).
 */
import { esc, htmlPage } from '../report/report-sections.js'

/** Where to go after signing in: only a report page of ours, never another host. */
export function safeNext (next: string | null | undefined): string {
  return next !== null && next !== undefined && /^\/report(?:[/?#]|$)/.test(next) ? next : '/report'
}

const PROBLEMS = {
  wrong: 'That token is not the admin token.',
  throttled: 'Too many wrong tokens in the last minute: sign-in is paused for a minute.',
}

export function renderSignInPage (next: string, problem?: keyof typeof PROBLEMS): string {
  return htmlPage('shadowfig: sign in', '<h1>shadowfig report</h1>', `<section class="signin"><h2>Sign in</h2>
${problem === undefined ? '' : `<p class="error">${PROBLEMS[problem]}</p>`}
<p>This report is served to loopback clients, or to whoever has the admin token (<code>admin.token</code>).</p>
<form method="post" action="/report/signin">
<input type="hidden" name="next" value="${esc(safeNext(next))}">
<label for="token">admin token</label> <input type="password" id="token" name="token" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
<p class="note">Scripts send <code>Authorization: Bearer &lt;token&gt;</code> instead.</p></section>`)
}

export function renderNoTokenPage (): string {
  return htmlPage('shadowfig: forbidden', '<h1>shadowfig report</h1>', `<section class="signin"><h2>Not from here</h2>
<p>No admin token is configured, so the report only opens to loopback clients (on the proxy's own host, e.g. through <code>ssh -L 9901:127.0.0.1:9901</code>).</p>
<p>To open it from elsewhere, configure a token (<code>admin.token</code>) and sign in with it:</p>
<pre><code>admin:
  token: "\${SHADOWFIG_ADMIN_TOKEN}"</code></pre>
<p>then set <code>SHADOWFIG_ADMIN_TOKEN</code> in the proxy's environment and reload or restart.</p></section>`)
}

/** A small sign-out form for the page header when the viewer came in with a session. */
export const SIGN_OUT_FORM = '<form method="post" action="/report/logout" class="signout"><button type="submit">Sign out</button></form>'
