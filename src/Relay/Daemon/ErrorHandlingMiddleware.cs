using Cerver.Gateway.Embedded.Http;
using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Daemon;

/// <summary>
/// Turns every failure into the one error shape: a malformed request target as 400, refusals
/// with their own status, a request Kestrel rejected with its status, an error status answered
/// without a body (the router's 404 and 405) with a body, and anything else as a logged 500
/// that keeps the daemon up.
/// </summary>
public sealed partial class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!RequestTarget.IsWellFormed(context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value))
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "malformed_path",
                "The request path or query has a broken percent-escape, invalid UTF-8 or a control character.");
            return;
        }

        try
        {
            await next(context);
            if (IsBareError(context.Response))
            {
                var (code, message) = ApiErrors.ForBareStatus(context.Response.StatusCode, context.Request);
                await ApiErrors.WriteAsync(context, context.Response.StatusCode, code, message);
            }
        }
        catch (ComputeException exception) when (!context.Response.HasStarted)
        {
            await ApiErrors.WriteAsync(context, ApiErrors.StatusFor(exception.Kind), exception.Code, exception.Message);
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            var code = exception.StatusCode == StatusCodes.Status413PayloadTooLarge ? "payload_too_large" : "bad_request";
            await ApiErrors.WriteAsync(context, exception.StatusCode, code, exception.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            LogUnhandled(context.Request.Method, context.Request.Path, exception);
            await ApiErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal_error",
                "The relay hit an internal error; details are in relay/logs.");
        }
    }

    private static bool IsBareError(HttpResponse response) =>
        !response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType);

    [LoggerMessage(LogLevel.Error, "Unhandled error in {Method} {Path}")]
    private partial void LogUnhandled(string method, string path, Exception exception);
}
