using System;

namespace TSheets.Auth
{
    /// <summary>Step 1 of the flow: the URL a user opens, and what step 2 needs to check the answer.</summary>
    public sealed class AuthorizationRequest
    {
        public AuthorizationRequest(Uri url, string state, string clientId, Uri redirectUri, Uri baseUri)
        {
            Url = url;
            State = state;
            ClientId = clientId;
            RedirectUri = redirectUri;
            BaseUri = baseUri;
        }

        public Uri Url { get; }

        public string State { get; }

        public string ClientId { get; }

        public Uri RedirectUri { get; }

        public Uri BaseUri { get; }

        public override string ToString() => Url.AbsoluteUri;
    }
}
