using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Reporting;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Interactive
{
    /// <summary>What an interactive sign-in needs to know.</summary>
    internal sealed class InteractiveOptions
    {
        public string Name { get; set; } = "default";

        public ClientCredentials App { get; set; } = ClientCredentials.None;

        /// <summary>The validated redirect URI.</summary>
        public Uri RedirectUri { get; set; } = null!;

        /// <summary>The normalized base URI.</summary>
        public Uri BaseUri { get; set; } = UriRules.DefaultBaseUri;

        public NetworkSettings Network { get; set; } = NetworkSettings.Default;

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(300);

        public bool NoBrowser { get; set; }

        public IEnumerable<string>? Scope { get; set; }

        public bool Pkce { get; set; } = true;
    }

    /// <summary>
    /// The whole interactive sign-in, behind seams (who can answer, listener, browser, prompt,
    /// reporter) so it is tested without a terminal: decide at once whether a person can answer;
    /// on a loopback redirect URI listen *before* the URL is shown, open the browser where one can
    /// open, and wait; on any other redirect URI ask for the address the browser landed on. Then
    /// exchange the code at once (codes live about 30 seconds).
    /// </summary>
    internal sealed class InteractiveSignIn
    {
        private readonly SignIn signIn;
        private readonly IBrowserLauncher browser;
        private readonly IPrompt prompt;
        private readonly IReporter report;
        private readonly ListenerLimits? limits;

        public InteractiveSignIn(SignIn signIn, IBrowserLauncher browser, IPrompt prompt, IReporter report, ListenerLimits? limits = null)
        {
            this.signIn = signIn;
            this.browser = browser;
            this.prompt = prompt;
            this.report = report;
            this.limits = limits;
        }

        /// <summary>The signed-in connection (not yet stored); the options' URIs were validated where they entered.</summary>
        public async Task<Connection> RunAsync(InteractiveOptions options, InteractionFacts facts, CancellationToken cancellationToken)
        {
            var baseUri = options.BaseUri;
            var why = InteractionCheck.WhyNoOneCanAnswer(facts);
            if (why != null)
            {
                throw NoOneToAnswer(options.Name, $"no one can answer a sign-in here: {why}");
            }

            var noBrowser = options.NoBrowser ? "-NoBrowser was given" : InteractionCheck.WhyNoBrowser(facts);
            string code;
            AuthorizationRequest request;
            if (LoopbackListener.Supports(options.RedirectUri))
            {
                // Listening before the URL is shown: a fast browser must find the port open.
                var state = AuthorizationUrl.NewState();
                using (var listener = LoopbackListener.Start(options.RedirectUri, state, options.Name, limits))
                {
                    request = AuthorizationUrl.Create(options.App.ClientId ?? string.Empty, listener.RedirectUri, state, baseUri, options.Scope, options.Pkce);
                    using (Show(request, noBrowser, listener.RedirectUri))
                    {
                        report.Information($"Waiting up to {options.Timeout.TotalSeconds:0} seconds for the sign-in to reach {UriRules.Describe(listener.RedirectUri)} (Ctrl+C cancels)...");
                        report.Information($"If the browser shows an error instead of a page that sends you back here (TSheets saying the redirect URI does not match, say), press Ctrl+C: the redirect URI registered for the app in QuickBooks Time (Feature Add-ons > API) must be exactly {UriRules.Describe(listener.RedirectUri)}.");
                        code = await listener.WaitForCodeAsync(options.Timeout, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            else
            {
                request = AuthorizationUrl.Create(options.App.ClientId ?? string.Empty, options.RedirectUri, null, baseUri, options.Scope, options.Pkce);
                using (Show(request, noBrowser, null))
                {
                    report.Information($"After you allow access, the browser goes to {UriRules.Describe(options.RedirectUri)}. Copy the whole address from its address bar and paste it here at once: the code in it expires in about 30 seconds.");
                    code = await ReadPastedCodeAsync(options, request, cancellationToken).ConfigureAwait(false);
                }
            }

            var grant = new GrantRequest
            {
                Name = options.Name,
                BaseUri = baseUri,
                Client = options.App,
                Network = options.Network,
                Code = code,
                RedirectUri = request.RedirectUri,
                CodeVerifier = request.CodeVerifier,
            };
            return await signIn.WithCodeAsync(grant, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The code from the address the person pastes: a bad paste (empty, not an address, a partial
        /// copy) is said and asked for again, up to <see cref="PastedAddress.MaxTries"/> times.
        /// </summary>
        private async Task<string> ReadPastedCodeAsync(InteractiveOptions options, AuthorizationRequest request, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                // Read like a password: the address holds a one-time code that must not reach the screen or a transcript.
                var pasted = SecureStrings.ToPlainText(await prompt.ReadSecretAsync("Address (hidden): ", cancellationToken).ConfigureAwait(false));
                if (pasted == null)
                {
                    throw NoOneToAnswer(options.Name, "the input ended before an address was pasted");
                }

                var code = PastedAddress.TryCode(pasted, options.RedirectUri, request.State, options.Name, out var problem);
                if (code != null)
                {
                    return code;
                }

                if (attempt >= PastedAddress.MaxTries)
                {
                    throw new TSheetsAuthException(
                        ErrorIds.InvalidRedirectUri,
                        $"{problem} That was the last of {PastedAddress.MaxTries} tries: nothing was sent to TSheets. Run Connect-TSheets again, and paste the whole address from the browser's address bar within 30 seconds of allowing access.",
                        options.Name);
                }

                var left = PastedAddress.MaxTries - attempt;
                report.Warning($"{problem} Paste it again ({left} {(left == 1 ? "try" : "tries")} left).");
            }
        }

        /// <summary>Shows the URL and opens the browser where one can open; returns what to dispose when the sign-in is over.</summary>
        private IDisposable? Show(AuthorizationRequest request, string? noBrowser, Uri? loopback)
        {
            report.Information($"Sign in to TSheets and allow access: {request.Url.AbsoluteUri}", scrub: false);
            if (noBrowser != null)
            {
                if (loopback != null)
                {
                    var host = loopback.HostNameType == UriHostNameType.IPv6 ? $"[{loopback.DnsSafeHost}]" : loopback.DnsSafeHost;
                    report.Information($"No browser is opened here ({noBrowser}): open that address in a browser on this computer, or, over SSH, forward the port first with ssh -L {loopback.Port}:{host}:{loopback.Port} <this host> and open it on your own computer.");
                }
                else
                {
                    report.Information($"No browser is opened here ({noBrowser}): open that address in any browser.");
                }

                return null;
            }

            try
            {
                var handedOver = browser.Open(request.Url, report);
                report.Verbose("Opened the browser.");
                return handedOver;
            }
            catch (BrowserLaunchException ex)
            {
                report.Warning($"{ex.Message} Open the address above yourself.");
                return null;
            }
        }

        private static TSheetsAuthException NoOneToAnswer(string name, string why) =>
            new TSheetsAuthException(
                ErrorIds.InteractionRequired,
                $"The browser sign-in cannot run: {why}. Sign in once interactively and keep the token in a vault (Connect-TSheets -Vault), start from a refresh token with Connect-TSheets -RefreshToken, or store a token made in QuickBooks Time with Set-TSheetsToken.",
                name);
    }
}
