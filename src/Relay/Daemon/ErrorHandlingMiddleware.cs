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
        catch (PathTooLongException) when (!context.Response.HasStarted)
        {
            // Only a path from the request can be too long for the file system: bad input, not a fault.
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "path_too_long", "path: too long for the file system.");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            LogUnhandled(context.Request.Method, Bounded(context.Request.Path.Value ?? ""), exception.GetType().FullName!, Bounded(exception.Message), exception.StackTrace ?? "");
            await ApiErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal_error",
                "The relay hit an internal error; details are in relay/logs.");
        }
    }

    private static bool IsBareError(HttpResponse response) =>
        !response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType);

    /// <summary>
    /// Messages quote the input, and input can be megabytes: a 10 MB path logged whole cost the
    /// daemon hundreds of megabytes of strings per request. The log keeps the start and the stack.
    /// </summary>
    private static string Bounded(string text) => text.Length <= MaxLoggedChars ? text : $"{text.AsSpan(0, MaxLoggedChars)}… ({text.Length} characters)";

    private const int MaxLoggedChars = 500;

    [LoggerMessage(LogLevel.Error, "Unhandled error in {Method} {Path}: {ExceptionType}: {ExceptionMessage}\n{StackTrace}")]
    private partial void LogUnhandled(string method, string path, string exceptionType, string exceptionMessage, string stackTrace);
}
