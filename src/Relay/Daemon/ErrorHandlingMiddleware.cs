using Cerver.Gateway.Embedded.Http;
using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cerver.Relay.Daemon;

/// <summary>
/// Turns every failure into the one error shape: refusals with their own status, a request
/// Kestrel rejected with its status, and anything else as a logged 500 that keeps the daemon up.
/// </summary>
public sealed partial class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
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

    [LoggerMessage(LogLevel.Error, "Unhandled error in {Method} {Path}")]
    private partial void LogUnhandled(string method, string path, Exception exception);
}
