#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Security;

namespace TSheets.Auth.Operations
{
    /// <summary>
    /// A sign-in as Connect-TSheets was asked for it, and (its first half) an authorization request
    /// as New-TSheetsAuthorizationUrl was. Which sign-in it is follows from what is given: a
    /// redirected address, an authorization code, a refresh token, else the interactive flow.
    /// Plain values only: Core validates them, once, and decides.
    /// </summary>
    internal sealed class SignInOptions
    {
        public string Name { get; set; } = "default";

        public string Vault { get; set; }

        public string ClientId { get; set; }

        public SecureString ClientSecret { get; set; }

        /// <summary>"Post" (the default) or "Basic".</summary>
        public string ClientAuthentication { get; set; }

        /// <summary>Null: the default base URI.</summary>
        public Uri BaseUri { get; set; }

        public Uri RedirectUri { get; set; }

        /// <summary>The state to send (a new one when null), or the state a redirected address must carry.</summary>
        public string State { get; set; }

        public string[] Scope { get; set; }

        public bool Pkce { get; set; } = true;

        /// <summary>The address the browser landed on, pasted back.</summary>
        public Uri RedirectedUrl { get; set; }

        public string CodeVerifier { get; set; }

        /// <summary>A code the caller captured and checked itself.</summary>
        public string AuthorizationCode { get; set; }

        public SecureString RefreshToken { get; set; }

        /// <summary>How long the interactive flow waits for the browser.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(300);

        public bool NoBrowser { get; set; }

        /// <summary>The proxy options; null: none given (the proxy variables, else the system's proxy).</summary>
        public NetworkOptions Network { get; set; }

        /// <summary>The PowerShell host's name (ConsoleHost reads prompts from standard input).</summary>
        public string HostName { get; set; }

        public bool HostHasUserInterface { get; set; }

        /// <summary>PowerShell was started with -NonInteractive.</summary>
        public bool NonInteractiveSwitch { get; set; }

        internal SignInMode Mode =>
            RedirectedUrl != null ? SignInMode.RedirectedUrl
            : AuthorizationCode != null ? SignInMode.AuthorizationCode
            : RefreshToken != null ? SignInMode.RefreshToken
            : SignInMode.Interactive;
    }

    internal enum SignInMode
    {
        Interactive,
        RedirectedUrl,
        AuthorizationCode,
        RefreshToken,
    }
}
