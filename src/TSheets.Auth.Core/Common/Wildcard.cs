using System.Text;
using System.Text.RegularExpressions;

namespace TSheets.Auth.Common
{
    /// <summary>
    /// PowerShell's wildcards (<c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, a backtick escaping
    /// the next character), case-insensitive, without PowerShell: a -Name pattern is resolved in
    /// Core. A pattern that is not valid (an unclosed <c>[</c>) has no matcher: it names itself.
    /// </summary>
    internal sealed class Wildcard
    {
        private const char Escape = '`';
        private readonly Regex regex;

        private Wildcard(Regex regex) => this.regex = regex;

        /// <summary>True when <paramref name="pattern"/> holds an unescaped <c>*</c>, <c>?</c>, <c>[</c> or <c>]</c>.</summary>
        public static bool HasWildcards(string? pattern)
        {
            for (var i = 0; pattern != null && i < pattern.Length; i++)
            {
                var c = pattern[i];
                if (c == '*' || c == '?' || c == '[' || c == ']')
                {
                    return true;
                }

                if (c == Escape)
                {
                    i++;
                }
            }

            return false;
        }

        /// <summary>The matcher for <paramref name="pattern"/>; null when it is not a valid pattern.</summary>
        public static Wildcard? TryParse(string pattern)
        {
            var text = new StringBuilder("^");
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                switch (c)
                {
                    case Escape:
                        if (i + 1 < pattern.Length)
                        {
                            i++;
                            text.Append(Regex.Escape(pattern[i].ToString()));
                        }
                        else
                        {
                            text.Append(Regex.Escape(c.ToString()));
                        }

                        break;
                    case '*':
                        text.Append(".*");
                        break;
                    case '?':
                        text.Append('.');
                        break;
                    case '[':
                        var end = AppendSet(pattern, i + 1, text);
                        if (end < 0)
                        {
                            return null;
                        }

                        i = end;
                        break;
                    default:
                        text.Append(Regex.Escape(c.ToString()));
                        break;
                }
            }

            text.Append('$');
            return new Wildcard(new Regex(text.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline));
        }

        public bool IsMatch(string? value) => value != null && regex.IsMatch(value);

        /// <summary>Appends a character set that starts at <paramref name="start"/>; returns the index of its <c>]</c>, or -1 when it never closes or is empty.</summary>
        private static int AppendSet(string pattern, int start, StringBuilder text)
        {
            var set = new StringBuilder();
            for (var i = start; i < pattern.Length; i++)
            {
                var c = pattern[i];
                if (c == ']')
                {
                    if (set.Length == 0)
                    {
                        return -1;
                    }

                    text.Append('[').Append(set).Append(']');
                    return i;
                }

                if (c == Escape && i + 1 < pattern.Length)
                {
                    c = pattern[++i];
                }
                else if (c == '-' && set.Length > 0 && i + 1 < pattern.Length && pattern[i + 1] != ']')
                {
                    set.Append('-');
                    continue;
                }

                set.Append(c == '\\' || c == ']' || c == '[' || c == '^' || c == '-' ? "\\" + c : c.ToString());
            }

            return -1;
        }
    }
}
