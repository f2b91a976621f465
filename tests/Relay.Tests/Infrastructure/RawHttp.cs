using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>One HTTP/1.1 request written byte for byte, for what HttpClient would normalize or refuse to send (a bad Host, a broken escape).</summary>
public static class RawHttp
{
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        /// <summary>Asserts the SPEC's error shape sent as JSON and returns its code.</summary>
        public string ErrorCode(int expectedStatus)
        {
            Assert.True(Status == expectedStatus, $"expected {expectedStatus}, got {Status}: {Body}");
            Assert.StartsWith("application/json", Headers.GetValueOrDefault("content-type", ""), StringComparison.Ordinal);
            var error = JsonNode.Parse(Body)!["error"]!;
            Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
            return error["code"]!.GetValue<string>();
        }
    }

    public static async Task<Response> SendAsync(Uri baseUrl, string method, string target, string host, string? token = null, string? jsonBody = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseUrl.Host, baseUrl.Port, TestContext.Current.CancellationToken);
        var body = jsonBody is null ? [] : Encoding.UTF8.GetBytes(jsonBody);
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        if (token is not null)
        {
            head.Append($"Authorization: Bearer {token}\r\n");
        }

        if (jsonBody is not null)
        {
            head.Append($"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n");
        }

        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), TestContext.Current.CancellationToken);
        await stream.WriteAsync(body, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
        var split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = raw[..split].Split("\r\n");
        var headers = lines.Skip(1).Select(line => line.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var content = raw[(split + 4)..];
        if (headers.GetValueOrDefault("transfer-encoding") == "chunked")
        {
            content = Dechunk(content);
        }

        return new Response(int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), headers, content);
    }

    private static string Dechunk(string chunked)
    {
        var result = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[position..lineEnd], 16);
            if (size == 0)
            {
                return result.ToString();
            }

            // Sizes count bytes; the bodies here are ASCII JSON.
            result.Append(chunked, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }
}
