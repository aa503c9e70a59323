using System;
using System.Management.Automation;
using TSheets.Auth.Operations;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// Refuses a -Proxy that names no proxy (no absolute URI, a scheme no proxy speaks, no host),
    /// at binding, before anything runs. The rule is Core's; the cmdlets declare it. The value
    /// is never quoted: it may hold a password.
    /// </summary>
    public sealed class ValidateProxyUriAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
            if (value == null)
            {
                // -Proxy:$null: no proxy given (it leaves out what $PSDefaultParameterValues would give).
                return;
            }

            var why = TSheetsOperations.WhyNotAProxy(value as Uri);
            if (why != null)
            {
                throw new ValidationMetadataException($"The -Proxy value cannot be used: {why}.");
            }
        }
    }
}
