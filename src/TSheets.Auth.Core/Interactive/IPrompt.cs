using System.Security;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Interactive
{
    /// <summary>A hidden question for the person at the host (the cmdlet asks it on the pipeline thread).</summary>
    internal interface IPrompt
    {
        /// <summary>The typed answer; null when input ended (end of file) without one.</summary>
        Task<SecureString> ReadSecretAsync(string prompt, CancellationToken cancellationToken);
    }
}
