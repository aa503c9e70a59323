using System;

namespace TSheets.Auth.Commands
{
    internal static class ClientMethods
    {
        /// <summary>-ClientAuthentication as Core's enum (the parameter's ValidateSet admits only its names).</summary>
        public static ClientAuthentication Parse(string text) =>
            string.Equals(text, nameof(Auth.ClientAuthentication.Basic), StringComparison.OrdinalIgnoreCase) ? Auth.ClientAuthentication.Basic : Auth.ClientAuthentication.Post;
    }
}
