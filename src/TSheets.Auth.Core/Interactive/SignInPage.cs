using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Interactive
{
    /// <summary>
    /// What the browser is handed instead of the authorization URL: a small page that sends it on
    /// to the URL (a meta refresh, and a link for a browser that does not follow one). A command
    /// line is readable by every local user (/proc/*/cmdline, ps), and the URL carries the state and
    /// the PKCE challenge, with which another user could get a code for their own account and call
    /// the listener first. The page is 0600 in a 0700 folder of the module's own (<see cref="PrivateFolder"/>,
    /// checked as the lock folder is) and is removed, folder and all, when the sign-in ends.
    /// </summary>
    internal sealed class SignInPage : IDisposable
    {
        private const string FilePrefix = "sign-in-";
        private static readonly TimeSpan LeftoverAge = TimeSpan.FromDays(2);

        private SignInPage(string folder, string file)
        {
            Folder = folder;
            FilePath = file;
        }

        public string Folder { get; }

        public string FilePath { get; }

        /// <summary>The page as a file:// URI (for a BROWSER command, which takes a URL).</summary>
        public Uri FileUri => new Uri(FilePath);

        /// <summary>Writes the page for <paramref name="url"/> in a new folder under <paramref name="parent"/>.</summary>
        /// <exception cref="BrowserLaunchException">The page cannot be written privately: no browser is started.</exception>
        public static SignInPage Create(Uri url, PrivateFolder parent)
        {
            RemoveLeftovers(parent);
            var folder = parent.Child(FilePrefix + RandomHex()).Prepare(out var why);
            var file = folder == null ? null : Path.Combine(folder, "sign-in.html");
            try
            {
                using (var stream = file == null ? null : PrivateFile.CreateNew(file, out why))
                {
                    if (stream != null)
                    {
                        var bytes = Encoding.UTF8.GetBytes(Html(url));
                        stream.Write(bytes, 0, bytes.Length);
                        return new SignInPage(folder!, file!);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                why = ex.Message;
            }

            if (folder != null)
            {
                new SignInPage(folder, file ?? Path.Combine(folder, "sign-in.html")).Dispose();
            }

            throw new BrowserLaunchException($"No browser was opened: the page that hands it the address could not be written where only you can read it ({why})");
        }

        /// <summary>The page: nothing but a redirect to <paramref name="url"/>, sending no referrer.</summary>
        internal static string Html(Uri url)
        {
            var address = WebUtility.HtmlEncode(url.AbsoluteUri);
            return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">"
                + $"<meta http-equiv=\"refresh\" content=\"0;url={address}\"><title>TSheets sign-in</title></head>\n"
                + $"<body><p>Opening the TSheets sign-in... If nothing happens, <a href=\"{address}\">continue to TSheets</a>.</p></body></html>\n";
        }

        public void Dispose()
        {
            try
            {
                File.Delete(FilePath);
                Directory.Delete(Folder);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // Already gone, or held open by a browser on Windows: the next sign-in removes it.
            }
        }

        /// <summary>Pages a process killed mid-sign-in left behind (useless since: their listener is gone).</summary>
        private static void RemoveLeftovers(PrivateFolder parent)
        {
            var root = parent.Prepare(out _);
            if (root == null)
            {
                return;
            }

            try
            {
                foreach (var old in new DirectoryInfo(root).GetDirectories(FilePrefix + "*"))
                {
                    if ((old.Attributes & FileAttributes.ReparsePoint) == 0 && DateTime.UtcNow - old.LastWriteTimeUtc > LeftoverAge)
                    {
                        old.Delete(recursive: true);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // Best effort: a leftover page holds nothing usable.
            }
        }

        private static string RandomHex()
        {
            var bytes = new byte[12];
            using (var random = RandomNumberGenerator.Create())
            {
                random.GetBytes(bytes);
            }

            return BitConverter.ToString(bytes).Replace("-", string.Empty).ToLowerInvariant();
        }
    }
}
