using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace TSheets.Auth.Interactive
{
    /// <summary>The BROWSER variable as a command line: split into words (quotes group them), the URL placed, and quoted back for ProcessStartInfo.</summary>
    internal static class BrowserCommandLine
    {
        private static readonly char[] NeedQuotes = { ' ', '\t', '"' };

        /// <summary>Splits a command line (double or single quotes group words) and places the URL.</summary>
        public static string[] BuildCommand(string command, string url)
        {
            var words = Split(command);
            if (words.Count == 0)
            {
                throw new BrowserLaunchException("The BROWSER environment variable holds no command.");
            }

            if (words.Any(w => w.Contains("%s")))
            {
                return words.Select(w => w.Replace("%s", url)).ToArray();
            }

            words.Add(url);
            return words.ToArray();
        }

        /// <summary>Quotes arguments the way the runtime splits ProcessStartInfo.Arguments back into argv.</summary>
        public static string JoinArguments(IEnumerable<string> arguments)
        {
            var line = new StringBuilder();
            foreach (var argument in arguments)
            {
                if (line.Length > 0)
                {
                    line.Append(' ');
                }

                if (argument.Length > 0 && argument.IndexOfAny(NeedQuotes) < 0)
                {
                    line.Append(argument);
                    continue;
                }

                line.Append('"');
                var backslashes = 0;
                foreach (var c in argument)
                {
                    if (c == '\\')
                    {
                        backslashes++;
                        continue;
                    }

                    line.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes);
                    backslashes = 0;
                    line.Append(c);
                }

                line.Append('\\', backslashes * 2).Append('"');
            }

            return line.ToString();
        }

        private static List<string> Split(string command)
        {
            var words = new List<string>();
            var word = new StringBuilder();
            var inWord = false;
            char quote = '\0';
            foreach (var c in command)
            {
                if (quote != '\0')
                {
                    if (c == quote)
                    {
                        quote = '\0';
                    }
                    else
                    {
                        word.Append(c);
                    }
                }
                else if (c == '"' || c == '\'')
                {
                    quote = c;
                    inWord = true;
                }
                else if (char.IsWhiteSpace(c))
                {
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }
                }
                else
                {
                    word.Append(c);
                    inWord = true;
                }
            }

            if (inWord)
            {
                words.Add(word.ToString());
            }

            return words;
        }

    }
}
