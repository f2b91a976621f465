using Microsoft.AspNetCore.Http;

namespace Cerver.Gateway.Embedded.Accounts;

/// <summary>
/// A browser the machine's owner has signed in (the relay's dashboard), seen from a page the
/// gateway serves: the CSRF token that page must send with a state-changing request, or null
/// when the request carries no live sign-in.
/// </summary>
public interface ISignedInBrowser
{
    string? CsrfTokenOf(HttpContext context);
}
