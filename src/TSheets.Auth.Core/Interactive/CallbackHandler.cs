using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.OAuth;

namespace TSheets.Auth.Interactive
{
    /// <summary>
    /// What the loopback listener answers: only the redirect path, GET, once; the state checked in
    /// constant time; a short page that never echoes the code and is never cached or referred.
    /// </summary>
    internal sealed class CallbackHandler
    {
        private static readonly string[] LineBreak = { "\r\n" };

        private readonly string path;
        private readonly string expectedState;
        private readonly object? target;
        private readonly TaskCompletionSource<string> outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        private int rejected;
        private string? lastRejectedError;

        public CallbackHandler(string path, string expectedState, object? target)
        {
            this.path = path;
            this.expectedState = expectedState;
            this.target = target;
        }

        public Task<string> Outcome => outcome.Task;

        /// <summary>Callbacks ignored so far: their <c>state</c> was missing or wrong, or they carried no usable code.</summary>
        public int RejectedCount => Volatile.Read(ref rejected);

        public string? LastRejectedError => Volatile.Read(ref lastRejectedError);

        public void Cancel() => outcome.TrySetCanceled();

        /// <summary>
        /// The request head (up to the blank line), or null when the head, counted whole, exceeds
        /// <paramref name="maxBytes"/>: a head is refused by its size, not by the size of each read.
        /// </summary>
        public static async Task<string?> ReadHeadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
        {
            var buffer = new byte[4096];
            var head = new StringBuilder();
            while (true)
            {
                var read = await stream.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("The client closed the connection before sending a request.");
                }

                var searchFrom = Math.Max(0, head.Length - 3);
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                var end = head.ToString(searchFrom, head.Length - searchFrom).IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    end += searchFrom;
                    return end + 4 <= maxBytes ? head.ToString(0, end) : null;
                }

                if (head.Length > maxBytes)
                {
                    return null;
                }
            }
        }

        /// <summary>The answer to one request; <paramref name="settle"/> ends the wait once the answer is sent.</summary>
        public byte[] Handle(string head, out Action? settle)
        {
            settle = null;
            var requestLine = head.Split(LineBreak, 2, StringSplitOptions.None)[0].Split(' ');
            if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                return Page(400, "Bad request", "This is not an HTTP request TSheets.Auth understands.");
            }

            var requestTarget = requestLine[1];
            var queryStart = requestTarget.IndexOf('?');
            var requestPath = queryStart < 0 ? requestTarget : requestTarget.Substring(0, queryStart);
            if (!string.Equals(requestPath, path, StringComparison.Ordinal))
            {
                return Page(404, "Not found", "Nothing here.");
            }

            if (requestLine[0] != "GET")
            {
                return Page(405, "Method not allowed", "The sign-in answer arrives with GET.");
            }

            if (outcome.Task.IsCompleted)
            {
                return Page(409, "Already answered", "This sign-in has already received its answer. Return to PowerShell.");
            }

            var answer = AuthorizationResponse.FromQuery(queryStart < 0 ? string.Empty : requestTarget.Substring(queryStart));
            if (answer.States.Length != 1 || !ConstantTime.Equals(answer.States[0], expectedState))
            {
                Interlocked.Increment(ref rejected);
                Volatile.Write(ref lastRejectedError, answer.Error);
                return Page(400, "Not this sign-in", "This address does not carry the state of the sign-in in progress, so TSheets.Auth ignored it. Use the link PowerShell showed.");
            }

            try
            {
                var code = answer.GetCheckedCode(expectedState, target);
                settle = () => outcome.TrySetResult(code);
                // Not "Signed in": the code is exchanged after this page is sent, and that can still fail (a wrong client secret).
                return Page(200, "Completing the sign-in", "TSheets.Auth received the authorization and is completing the sign-in in PowerShell. Return there to see whether it worked; you can close this tab.");
            }
            catch (TSheetsAuthException ex) when (ex.ErrorId == ErrorIds.AuthorizationDenied)
            {
                settle = () => outcome.TrySetException(ex);
                return Page(200, "Not signed in", "The server did not authorize the app: " + (answer.ErrorDescription ?? answer.Error) + ". Return to PowerShell; run Connect-TSheets again to retry.");
            }
            catch (TSheetsAuthException)
            {
                Interlocked.Increment(ref rejected);
                return Page(400, "Not a sign-in answer", "This address carries no usable authorization code, so TSheets.Auth ignored it.");
            }
        }

        /// <summary>A complete answer: short HTML that never echoes the code, and is not cached or referred.</summary>
        public static byte[] Page(int status, string title, string message)
        {
            var html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>TSheets.Auth: " + WebUtility.HtmlEncode(title)
                + "</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>" + WebUtility.HtmlEncode(title)
                + "</h1><p>" + WebUtility.HtmlEncode(Redactor.ScrubOutside(message)) + "</p></body></html>";
            var body = Encoding.UTF8.GetBytes(html);
            var reason = status == 200 ? "OK" : title;
            var headers = string.Format(
                CultureInfo.InvariantCulture,
                "HTTP/1.1 {0} {1}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {2}\r\nCache-Control: no-store\r\nPragma: no-cache\r\n"
                + "Referrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n",
                status,
                reason,
                body.Length);
            var head = Encoding.ASCII.GetBytes(headers);
            var response = new byte[head.Length + body.Length];
            Buffer.BlockCopy(head, 0, response, 0, head.Length);
            Buffer.BlockCopy(body, 0, response, head.Length, body.Length);
            return response;
        }
    }
}
