using System.Net;
using System.Security.Cryptography;
using Cerver.Gateway.Embedded.Accounts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>
/// The embedded gateway's verification page (<c>GET /device</c>, the <c>verification_uri</c> a
/// logging-in relay prints). A browser signed in to the dashboard approves with its cookie and the
/// session's CSRF token (<see cref="ISignedInBrowser"/>); any other asks the owner to paste the
/// local token, which its script sends as a bearer. Either way the call goes to the owner-only
/// <c>/relay/devices/approve|deny</c> from this page's own origin. Nothing on the page is stored
/// and nothing is approved by a plain form post: a cross-site page can set neither the bearer nor
/// the CSRF header, and the local API refuses a foreign <c>Origin</c>. The CLI pointer, with the
/// code filled in, works the same without a browser.
/// </summary>
public static class DeviceVerificationPage
{
    public static IResult Render(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var query = context.Request.Query;
        // Only the code alphabet survives normalisation, so the echoed code cannot carry markup.
        var code = UserCode.Normalize(query["user_code"].FirstOrDefault() ?? query["code"].FirstOrDefault()) is { } typed
            ? UserCode.Format(typed)
            : null;
        var csrf = context.RequestServices.GetService<ISignedInBrowser>()?.CsrfTokenOf(context);
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return Results.Content(Html(code, csrf, nonce), "text/html; charset=utf-8");
    }

    private static string Html(string? code, string? csrf, string nonce)
    {
        var shown = WebUtility.HtmlEncode(code ?? "XXXX-XXXX");
        var value = WebUtility.HtmlEncode(code ?? "");
        var credential = csrf is null
            ? "<p>Paste this relay's owner token (the content of <code>relay/local.token</code> in its <code>CERVER_HOME</code>). It is sent once, to this relay only, and kept nowhere. Signed in to the dashboard (<code>cerver-relay dashboard</code>), this page needs no token.</p>"
            : $"<p id=\"signed-in\">You are signed in to this relay's dashboard: approve or deny here.</p>\n<meta name=\"csrf-token\" content=\"{WebUtility.HtmlEncode(csrf)}\">";
        var tokenField = csrf is null ? "<label>Owner token <input id=\"token\" type=\"password\" autocomplete=\"off\" required></label>" : "";
        return $$"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Approve a relay – Cerver</title>
<style nonce="{{nonce}}">
body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1b1b1b; }
code, input { font: 15px ui-monospace, monospace; }
pre { background: #f3f3f3; padding: .75rem 1rem; border-radius: 6px; }
label { display: block; margin-top: 1rem; }
input { width: 100%; padding: .4rem; box-sizing: border-box; }
button { margin: 1rem .5rem 0 0; padding: .5rem 1.2rem; font-size: 15px; }
#result { margin-top: 1rem; font-weight: 600; }
</style>
</head>
<body>
<h1>Approve a relay</h1>
<p>A relay is logging in to this machine, which is its Cerver gateway. Approve it only if you started that login.</p>
<p>On this machine, in a terminal:</p>
<pre id="command">cerver-relay devices approve {{shown}}</pre>
<p><code>cerver-relay devices list</code> shows the codes that are waiting.</p>
<h2>Or approve here</h2>
{{credential}}
<form id="decide">
<label>Code <input id="code" name="user_code" value="{{value}}" placeholder="XXXX-XXXX" autocomplete="off" required></label>
{{tokenField}}
<button type="submit" value="approve">Approve</button><button type="submit" value="deny">Deny</button>
</form>
<p id="result" role="status"></p>
<noscript><p>This page needs JavaScript to approve; the command above works without it.</p></noscript>
<script nonce="{{nonce}}">
const form = document.getElementById('decide'), code = document.getElementById('code'), result = document.getElementById('result');
code.addEventListener('input', () => { document.getElementById('command').textContent = 'cerver-relay devices approve ' + (code.value.trim() || 'XXXX-XXXX'); });
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const verb = event.submitter && event.submitter.value === 'deny' ? 'deny' : 'approve';
  const csrf = document.querySelector('meta[name="csrf-token"]');
  const headers = { 'Content-Type': 'application/json' };
  if (csrf) {
    headers['X-CSRF-Token'] = csrf.content;
  } else {
    headers['Authorization'] = 'Bearer ' + document.getElementById('token').value.trim();
  }
  result.textContent = '…';
  try {
    const response = await fetch('/relay/devices/' + verb, {
      method: 'POST',
      headers,
      body: JSON.stringify({ user_code: code.value.trim() }),
    });
    const body = await response.json();
    result.textContent = response.ok
      ? (verb === 'approve' ? 'Approved ' : 'Denied ') + body.machine_name + ' (' + body.user_code + '). You can close this page.'
      : body.error.message;
  } catch (error) {
    result.textContent = 'The relay did not answer: ' + error;
  }
});
</script>
</body>
</html>
""";
    }
}
