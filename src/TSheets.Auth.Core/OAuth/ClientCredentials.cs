using System;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using TSheets.Auth.Common;

namespace TSheets.Auth.OAuth
{
    /// <summary>The app's identity at the token endpoint, and the one way it is presented.</summary>
    internal sealed class ClientCredentials
    {
        /// <summary>No app: what a request made without one carries (the module always gives one).</summary>
        public static readonly ClientCredentials None = new ClientCredentials(null, null, ClientAuthentication.Post);

        public ClientCredentials(string? clientId, SecureString? clientSecret, ClientAuthentication method)
        {
            ClientId = clientId;
            ClientSecret = clientSecret;
            Method = method;
        }

        public string? ClientId { get; }

        public SecureString? ClientSecret { get; }

        public ClientAuthentication Method { get; }

        /// <summary>
        /// Adds the credentials to a /grant request: form fields for Post, the Authorization header
        /// for Basic. Exactly one mechanism, never both (a strict server refuses two).
        /// </summary>
        public void Apply(System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<string, string?>> form, HttpRequestHeaders headers, string? plainSecret)
        {
            if (Method == ClientAuthentication.Basic)
            {
                // RFC 6749 §2.3.1: each part form-urlencoded, then joined with ':' and base64-encoded.
                var pair = PercentEncoding.Encode(ClientId) + ":" + PercentEncoding.Encode(plainSecret);
                headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
                return;
            }

            form.Add(new System.Collections.Generic.KeyValuePair<string, string?>("client_id", ClientId));
            form.Add(new System.Collections.Generic.KeyValuePair<string, string?>("client_secret", plainSecret));
        }
    }
}
