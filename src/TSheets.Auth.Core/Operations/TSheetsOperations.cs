#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Operations
{
    /// <summary>
    /// The door between the cmdlets and Core: one method per cmdlet operation, each taking one
    /// small options object (and a reporter, and a prompt where a person may be asked) and
    /// returning the result. Where a cmdlet must ask before a change, a plan step checks
    /// everything and says what will change, and an apply step makes it. Every error leaves here
    /// as a <see cref="TSheetsAuthException"/> with the exact secrets in play scrubbed from it.
    /// </summary>
    internal sealed partial class TSheetsOperations
    {
        private readonly CoreParts parts;

        internal TSheetsOperations(CoreParts parts) => this.parts = parts ?? throw new ArgumentNullException(nameof(parts));

        /// <summary>The pieces behind the door, for tests.</summary>
        internal CoreParts Parts => parts;

        /// <summary>
        /// Builds Core for this process (the cmdlet assembly does it once, at first use) from what
        /// only the host knows: its environment, PowerShell's home, and SecretManagement's calls.
        /// </summary>
        public static TSheetsOperations Create(Func<string, string> environment, string powerShellHome, Func<TimeSpan, IRawVault> vaultBridge) =>
            CoreSetup.Build(new CoreSettings { Environment = environment, PowerShellHome = powerShellHome, VaultBridge = vaultBridge });

        /// <summary>True for a name a new connection may take: no wildcard characters (the cmdlets declare the rule Core keeps).</summary>
        public static bool IsValidConnectionName(string name) => ConnectionNames.IsValidNewName(name);

        /// <summary>True for a PKCE verifier (43 to 128 unreserved characters, RFC 7636): the cmdlets declare the same rule Core applies.</summary>
        public static bool IsValidCodeVerifier(string verifier) => Pkce.IsValidVerifier(verifier);

        /// <summary>Why a -Proxy value cannot be a proxy (null when it can): the rule the cmdlets declare is Core's.</summary>
        public static string WhyNotAProxy(Uri proxy) => ProxyAddress.Problem(proxy);

        /// <summary>Text for the host with every secret in play masked (what the cmdlet layer writes).</summary>
        public string Scrub(string text) => parts.Redactor.Scrub(text);

        /// <summary>An error with every secret in play masked from its message (and its causes'): same ID, target, status and cause.</summary>
        public TSheetsAuthException Scrub(TSheetsAuthException error) => parts.Redactor.Scrub(error);

        /// <summary>The connections for completion (the session's, then those remembered in a vault): each name, and a line describing it.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> SessionConnections()
        {
            var session = parts.Session.All()
                .Select(c => new KeyValuePair<string, string>(c.Name, $"{c.Name}: user {c.UserId ?? "?"} of {c.ClientUrl ?? c.CompanyId ?? "?"}, valid until {Messages.Time(c.ExpiresOn)}"))
                .ToList();
            var saved = parts.Repository.Remembered.All()
                .Where(r => !session.Any(c => string.Equals(c.Key, r.Name, StringComparison.OrdinalIgnoreCase)))
                .Select(r => new KeyValuePair<string, string>(r.Name, $"{r.Name}: user {r.UserId ?? "?"} of {r.ClientUrl ?? r.CompanyId ?? "?"}, saved in vault '{r.Vault}'"));
            return session.Concat(saved).OrderBy(c => c.Key, StringComparer.OrdinalIgnoreCase).ToList();
        }

        private static string Where(string vault) => vault == null ? "the session" : $"the session and vault '{vault}'";

        /// <summary>What one operation carries: its connection, its reporter, its network settings (checked now) and Ctrl+C.</summary>
        private CallScope Scope(string name, string vault, NetworkOptions network, IReporter report, CancellationToken cancellationToken) =>
            new CallScope(name, vault, report, Network(network, report), cancellationToken);

        /// <summary>
        /// The network settings the options and the proxy variables (read now) make; options that
        /// contradict each other are refused here, before anything is sent. A proxy variable that
        /// names no proxy is ignored with a warning, once per value.
        /// </summary>
        private NetworkSettings Network(NetworkOptions options, IReporter report)
        {
            var settings = NetworkSettings.From(options?.Proxy, options?.ProxyCredential, options?.ProxyUseDefaultCredentials ?? false, options?.NoProxy ?? false, parts.Environment);
            foreach (var problem in settings.Environment.Problems)
            {
                if (parts.Warned.TryAdd(problem, true))
                {
                    report.Warning(problem + ".");
                }
            }

            return settings;
        }

        /// <summary>The proxy passwords an operation was given (in -ProxyCredential or -Proxy): masked from its errors even before a handler holds them.</summary>
        private static string[] Given(NetworkOptions options)
        {
            var userInfo = options?.Proxy?.IsAbsoluteUri == true ? options.Proxy.UserInfo : null;
            var colon = userInfo?.IndexOf(':') ?? -1;
            return new[]
            {
                options?.ProxyCredential?.Password,
                colon < 0 ? null : Uri.UnescapeDataString(userInfo.Substring(colon + 1)),
            };
        }

        /// <summary>"Post" (or nothing) and "Basic", as the cmdlets' ValidateSet admits them.</summary>
        private static ClientAuthentication ParseClientAuthentication(string text)
        {
            if (string.IsNullOrEmpty(text) || string.Equals(text, nameof(ClientAuthentication.Post), StringComparison.OrdinalIgnoreCase))
            {
                return ClientAuthentication.Post;
            }

            if (string.Equals(text, nameof(ClientAuthentication.Basic), StringComparison.OrdinalIgnoreCase))
            {
                return ClientAuthentication.Basic;
            }

            throw new ArgumentException($"'{text}' is not a client authentication method (Post or Basic).", nameof(text));
        }

        private T Guard<T>(Func<T> work)
        {
            try
            {
                return work();
            }
            catch (TSheetsAuthException ex)
            {
                var clean = parts.Redactor.Scrub(ex);
                if (ReferenceEquals(clean, ex))
                {
                    throw;
                }

                throw clean;
            }
        }

        private Task<T> GuardAsync<T>(Func<Task<T>> work) => GuardAsync(work, null);

        /// <summary>Runs <paramref name="work"/>; its error leaves scrubbed of the secrets in play and the operation's own (<paramref name="given"/>).</summary>
        private async Task<T> GuardAsync<T>(Func<Task<T>> work, IEnumerable<string> given)
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            catch (TSheetsAuthException ex)
            {
                var clean = parts.Redactor.Scrub(ex, given);
                if (ReferenceEquals(clean, ex))
                {
                    throw;
                }

                throw clean;
            }
        }
    }
}
