using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;

namespace TSheets.Auth.Tests
{
    /// <summary>
    /// A token endpoint that rotates like TSheets: a refresh answers a new pair and revokes the
    /// refresh token it used, so a second use of it gets invalid_grant. Counts successful refreshes.
    /// </summary>
    internal sealed class FakeTokenServer
    {
        private readonly HashSet<string> valid = new HashSet<string>(StringComparer.Ordinal);
        private int refreshes;

        public FakeTokenServer(string firstRefreshToken) => valid.Add(firstRefreshToken);

        public int Refreshes => Volatile.Read(ref refreshes);

        /// <summary>Called before each answer (to make a request slow, or to let another party act first).</summary>
        public Func<Task> BeforeAnswer { get; set; } = () => Task.CompletedTask;

        public FakeHandler Handler() => new FakeHandler(async (_, body, _) =>
        {
            await BeforeAnswer();
            var used = System.Text.RegularExpressions.Regex.Match(body ?? string.Empty, "refresh_token=([^&]+)").Groups[1].Value;
            lock (valid)
            {
                if (!valid.Remove(used))
                {
                    return FakeHandler.Response(HttpStatusCode.BadRequest, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid refresh token\"}");
                }

                var refresh = RandomNumberGenerator.GetHexString(40, lowercase: true);
                valid.Add(refresh);
                Interlocked.Increment(ref refreshes);
                return FakeHandler.Response(HttpStatusCode.OK, Samples.GrantJson("S.7__" + RandomNumberGenerator.GetHexString(40, lowercase: true), refresh));
            }
        });

        public bool IsValid(string refreshToken)
        {
            lock (valid)
            {
                return valid.Contains(refreshToken);
            }
        }
    }
}
