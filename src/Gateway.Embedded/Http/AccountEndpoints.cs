using System.Globalization;
using Cerver.Gateway.Embedded.Accounts;
using Cerver.Gateway.Embedded.Accounts.Wire;
using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>
/// Device authorization and identity (SPEC 7 "Login") for relays that use this machine as
/// their gateway, and the owner's endpoints to approve, deny and revoke them.
/// </summary>
public static class AccountEndpoints
{
    public const string VerificationPath = "/device";

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder endpoints)
    {
        var json = AccountJsonContext.Default;

        // A relay that logs in has no key yet: the two device endpoints are open, and only ever
        // yield a key after the owner approved the user code on this machine.
        endpoints.MapPost("/v2/auth/device", async (HttpRequest request, DeviceAuthorization devices) =>
        {
            if (devices.Admit() is { } wait)
            {
                request.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ApiErrors.Result(StatusCodes.Status429TooManyRequests, "rate_limited",
                    "Too many logins were started on this gateway; retry after the time in Retry-After.");
            }

            var body = await JsonBody.ReadAsync(request, json.DeviceStartRequest);
            var verification = new Uri($"{request.Scheme}://{request.Host}{VerificationPath}");
            return Results.Json(devices.Start(body.MachineName, verification), json.DeviceStartResponse);
        }).AllowAnonymous();

        endpoints.MapGet("/v2/auth/device", (HttpRequest request, DeviceAuthorization devices) =>
        {
            var outcome = devices.Poll(request.Query["device_code"].ToString());
            return Results.Json(outcome.Body, json.DevicePollResponse, statusCode: outcome.HttpStatus);
        }).AllowAnonymous();

        // The page itself is open (it shows nothing that waits); approving from it needs the owner's token.
        endpoints.MapGet(VerificationPath, DeviceVerificationPage.Render).AllowAnonymous();

        endpoints.MapGet("/v2/auth/whoami", (Caller caller) =>
            Results.Json(new WhoAmIResponse(caller.AccountId, caller.KeyId, caller.MachineName, caller.KindName), json.WhoAmIResponse))
            .AllowRelayKeys();

        endpoints.MapGet("/relay/devices", async (DeviceAuthorization devices, RelayKeys keys, CancellationToken cancellationToken) =>
        {
            var pending = devices.ListPending().Select(code => new PendingDevice(UserCode.Format(code.UserCode), code.MachineName, code.CreatedAt, code.ExpiresAt));
            var issued = (await keys.ListAsync(cancellationToken)).Select(IssuedKeyOf);
            return Results.Json(new DeviceListResponse([.. pending], [.. issued]), json.DeviceListResponse);
        });

        endpoints.MapPost("/relay/devices/approve", (HttpRequest request, DeviceAuthorization devices) =>
            DecideAsync(request, devices.Approve));

        endpoints.MapPost("/relay/devices/deny", (HttpRequest request, DeviceAuthorization devices) =>
            DecideAsync(request, devices.Deny));

        endpoints.MapDelete("/relay/devices/{keyId}", async (string keyId, RelayKeys keys, CancellationToken cancellationToken) =>
            Results.Json(IssuedKeyOf(await keys.RevokeAsync(keyId, cancellationToken)), json.IssuedKey));

        // SPEC 7: `logout` revokes its own key; a relay key may revoke itself and nothing else.
        endpoints.MapDelete("/v2/auth/keys/{keyId}", async (string keyId, Caller caller, RelayKeys keys, CancellationToken cancellationToken) =>
        {
            if (!caller.IsOwner && caller.KeyId != keyId)
            {
                throw new ComputeException(ComputeErrorKind.Forbidden, "forbidden_key", "A relay key may revoke only itself.");
            }

            return Results.Json(IssuedKeyOf(await keys.RevokeAsync(keyId, cancellationToken)), json.IssuedKey);
        }).AllowRelayKeys();

        return endpoints;
    }

    private static async Task<IResult> DecideAsync(HttpRequest request, Func<string?, DeviceCodeRecord> decide)
    {
        var body = await JsonBody.ReadAsync(request, AccountJsonContext.Default.UserCodeRequest);
        var code = decide(body.UserCode);
        return Results.Json(new DeviceDecisionResponse(UserCode.Format(code.UserCode), code.Status, code.MachineName), AccountJsonContext.Default.DeviceDecisionResponse);
    }

    private static IssuedKey IssuedKeyOf(RelayKeyRecord key) =>
        new(key.KeyId, key.AccountId, key.MachineName, key.RevokedAt is null ? "active" : "revoked", key.CreatedAt, key.LastUsedAt, key.RevokedAt);
}
