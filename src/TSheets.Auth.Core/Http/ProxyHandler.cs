using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using TSheets.Auth.Common;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// Right above the handler that puts requests on the wire, knowing which proxy each request
    /// goes through (<see cref="ModuleProxy"/>): refuses a plain-http request a proxy off this
    /// machine would carry (before anything is sent), and turns what a proxy does into errors that
    /// name the proxy, not TSheets: a 407 it was given no accepted credentials for
    /// (<see cref="ErrorIds.ProxyAuthenticationRequired"/>), a tunnel (CONNECT) it refused, a
    /// connection it did not accept, an HTML page of its own. Other failures pass on, with the
    /// proxy noted for the timeout's message (<see cref="RequestOptions.Proxy"/>).
    /// </summary>
    internal sealed class ProxyHandler : DelegatingHandler
    {
        private const int MaxPageBytes = 64 * 1024;

        private static readonly Regex Title = new Regex("<title[^>]*>(.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant);
        private static readonly Regex StatusInMessage = new Regex(@"'(\d{3})'", RegexOptions.CultureInvariant);

        private readonly ModuleProxy proxy;
        private readonly NetworkSettings settings;

        public ProxyHandler(ModuleProxy proxy, NetworkSettings settings)
        {
            this.proxy = proxy ?? throw new ArgumentNullException(nameof(proxy));
            this.settings = settings ?? throw new ArgumentNullException(nameof(settings));
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var options = RequestOptions.Of(request);
            var target = request.RequestUri;
            if (target.Scheme == Uri.UriSchemeHttp && proxy.Route(target) is ProxyAddress outward && !ProxyChoice.IsLoopback(outward.Address))
            {
                throw new TSheetsAuthException(
                    ErrorIds.InvalidBaseUri,
                    $"Nothing was sent to {Host(target)}: it is plain http, and the proxy {outward} is not on this machine, so the token and client secret would cross the network unencrypted. Use -NoProxy for a local server (the emulator), a proxy on this machine (localhost, 127.0.0.1, [::1]), or an https base URI.",
                    options.Target);
            }

            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (proxy.Route(target) is ProxyAddress route)
            {
                throw Failure(ex, route, target, options);
            }
            catch (Exception ex) when ((ex is OperationCanceledException || ex is IOException) && proxy.Route(target) is ProxyAddress route)
            {
                options.Proxy = route.ToString();
                throw;
            }

            if ((int)response.StatusCode == 407)
            {
                // The schemes only: a challenge's parameters are the proxy's business (and look like secrets to the scrubber).
                var offered = string.Join(", ", response.Headers.ProxyAuthenticate.Select(challenge => challenge.Scheme));
                response.Dispose();
                throw AuthenticationRequired(proxy.Route(target)?.ToString() ?? Host(target), offered, target, options);
            }

            var code = (int)response.StatusCode;
            if ((code == 502 || code == 504) && target.Scheme == Uri.UriSchemeHttp && proxy.Route(target) is ProxyAddress gateway)
            {
                // A plain-http request is the proxy's to pass on: a gateway error is its own word (through a tunnel it would be the server's).
                response.Dispose();
                throw new TSheetsAuthException(
                    ErrorIds.ServiceUnavailable,
                    $"The proxy {gateway} could not pass the request on to {Host(target)} (HTTP {code}). Check that {Host(target)} is up and that the proxy may reach it, or use -NoProxy.",
                    options.Target)
                { StatusCode = code };
            }

            // TSheets answers JSON or text, never HTML. Through a tunnel a 5xx page is the server's (and is retried).
            var contentType = response.Content?.Headers.ContentType?.MediaType;
            var plain = target.Scheme == Uri.UriSchemeHttp;
            if (contentType != null && contentType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0 && (plain || code < 500) && proxy.Route(target) is ProxyAddress via)
            {
                var status = (int)response.StatusCode;
                string page;
                using (response)
                {
                    page = await PageTitleAsync(response, request, cancellationToken).ConfigureAwait(false);
                }

                throw new TSheetsAuthException(
                    ErrorIds.InvalidServerResponse,
                    plain
                        ? $"The proxy {via} answered a request to {Host(target)} with HTTP {status} and {page}, not an answer from TSheets: the proxy refused or could not pass the request. Check the proxy ({settings}), or ask its administrator to allow {Host(target)}."
                        : $"A request to {Host(target)} through the proxy {via} got HTTP {status} and {page}, not an answer from TSheets: most likely the proxy's own page (one that inspects TLS refusing the request). Check the proxy ({settings}), or ask its administrator to allow {Host(target)}.",
                    options.Target)
                { StatusCode = status };
            }

            return response;
        }

        private TSheetsAuthException Failure(HttpRequestException ex, ProxyAddress route, Uri target, RequestOptions options)
        {
            var status = TunnelStatus(ex);
            if (status == 407)
            {
                return AuthenticationRequired(route.ToString(), null, target, options, ex);
            }

            if (status != null)
            {
                return new TSheetsAuthException(
                    ErrorIds.ServiceUnavailable,
                    $"The proxy {route} refused to open a tunnel to {Host(target)} (CONNECT answered HTTP {status}). Ask its administrator to allow {Host(target)} on port {target.Port}, or use -NoProxy or another -Proxy if this network allows.",
                    options.Target,
                    ex)
                { StatusCode = status };
            }

            for (var inner = ex.InnerException; inner != null; inner = inner.InnerException)
            {
                if (inner is System.Security.Authentication.AuthenticationException)
                {
                    return new TSheetsAuthException(ErrorIds.ServiceUnavailable, $"The TLS connection to {Host(target)} through the proxy {route} failed: {NetworkFailure.Explain(ex)}", options.Target, ex);
                }
            }

            return new TSheetsAuthException(
                ErrorIds.ServiceUnavailable,
                $"The proxy {route} could not be reached, so {Host(target)} was not: {NetworkFailure.Explain(ex)} Check the proxy's address ({settings}), or use -NoProxy if this network allows direct connections.",
                options.Target,
                ex);
        }

        private TSheetsAuthException AuthenticationRequired(string proxyName, string? offered, Uri target, RequestOptions options, Exception? cause = null)
        {
            var schemes = string.IsNullOrEmpty(offered) ? string.Empty : $" It offers: {Text.FromServer(offered, 100)}.";
            var given = settings.Credential != null || settings.UseDefaultCredentials
                ? "refused the credentials it was given (check the user name and password, or whether it expects -ProxyUseDefaultCredentials)"
                : "asks for credentials and none were given";
            return new TSheetsAuthException(
                ErrorIds.ProxyAuthenticationRequired,
                $"The proxy {proxyName} {given} (HTTP 407), so the request to {Host(target)} was not passed on.{schemes} Give them with -ProxyCredential (Get-Credential), as user:password in the proxy's URI (-Proxy or HTTPS_PROXY), or sign in to it as the logged-on Windows user with -ProxyUseDefaultCredentials. The connection's token is kept.",
                options.Target,
                cause)
            { StatusCode = 407 };
        }

        /// <summary>The status a refused CONNECT answered with; null when the failure was no such answer.</summary>
        private static int? TunnelStatus(HttpRequestException ex)
        {
            // .NET 5+ carries it on the exception (.NET 8+ sets it for a refused tunnel); netstandard2.0 cannot name the property.
            if (typeof(HttpRequestException).GetProperty("StatusCode")?.GetValue(ex) is HttpStatusCode status)
            {
                return (int)status;
            }

            for (Exception? inner = ex; inner != null; inner = inner.InnerException)
            {
                // .NET Framework: the WebException of the refused CONNECT, with the proxy's answer.
                if (inner is WebException web && web.Response is HttpWebResponse answer)
                {
                    return (int)answer.StatusCode;
                }
            }

            // An older .NET Core: the status only in the message ("... failed with status code '407'.").
            var said = ex.Message.IndexOf("proxy", StringComparison.OrdinalIgnoreCase) >= 0 ? StatusInMessage.Match(ex.Message) : Match.Empty;
            return said.Success ? int.Parse(said.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        }

        private static async Task<string> PageTitleAsync(HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var buffer = new byte[MaxPageBytes];
            var read = 0;
            using (var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
            {
                int n;
                while (read < buffer.Length && (n = await stream.ReadAsync(buffer, read, buffer.Length - read, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    read += n;
                }
            }

            var title = Title.Match(Encoding.UTF8.GetString(buffer, 0, read));
            var sent = request.Headers.Authorization?.Parameter;
            var text = title.Success ? Text.FromServer(title.Groups[1].Value, 200, new[] { sent }) : null;
            return text == null ? "an HTML page" : $"an HTML page titled '{text}'";
        }

        private static string Host(Uri target) => target.GetLeftPart(UriPartial.Authority);
    }
}
