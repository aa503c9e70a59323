using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using TSheets.Auth.Common;

namespace TSheets.Auth.Commands
{
    /// <summary>
    /// PowerShell objects to JSON request bodies (written as ConvertTo-Json writes them: [uri] and
    /// [guid] as strings, enums as numbers, NaN and infinities as strings), and Core's JSON values
    /// to PSCustomObjects. A body that cannot become JSON (a cycle, too deep) is <c>InvalidBody</c>.
    /// </summary>
    internal static class JsonConversion
    {
        private const int MaxDepth = 32;

        /// <summary>A JSON string is sent as it is; anything else is serialized.</summary>
        public static string ToJsonBody(object body)
        {
            var value = body is PSObject wrapped ? wrapped.BaseObject : body;
            if (value is string text)
            {
                return Unicode(text);
            }

            using (var buffer = new MemoryStream())
            {
                using (var json = new Utf8JsonWriter(buffer))
                {
                    new Writer(json).Write(body, 0);
                }

                return Encoding.UTF8.GetString(buffer.ToArray());
            }
        }

        public static object ToPSObject(object value)
        {
            switch (value)
            {
                case OrderedDictionary members:
                    var result = new PSObject();
                    foreach (DictionaryEntry member in members)
                    {
                        result.Properties.Add(new PSNoteProperty((string)member.Key, ToPSObject(member.Value)));
                    }

                    return result;
                case object[] items:
                    return items.Select(ToPSObject).ToArray();
                default:
                    return value;
            }
        }

        private static TSheetsAuthException Invalid(string why) =>
            new TSheetsAuthException(ErrorIds.InvalidBody, $"The -Body cannot be sent as JSON: {why}. Nothing was sent.", "Body");

        /// <summary>
        /// The text, when it is valid UTF-16. Half a surrogate pair would go out as a <c>\uD800</c> escape
        /// that strict JSON readers refuse (System.Text.Json does), so it is said here, before anything is sent.
        /// </summary>
        private static string Unicode(string text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(text[i]))
                {
                    throw Invalid("it holds text that is not valid Unicode (half of a surrogate pair)");
                }
            }

            return text;
        }

        private sealed class Writer
        {
            private readonly Utf8JsonWriter json;
            private readonly HashSet<object> ancestors = new HashSet<object>(ReferenceComparer.Instance);

            public Writer(Utf8JsonWriter json) => this.json = json;

            public void Write(object value, int depth)
            {
                if (depth > MaxDepth)
                {
                    throw Invalid($"it is nested more than {MaxDepth} levels deep");
                }

                var wrapped = value as PSObject;
                var item = wrapped?.BaseObject ?? value;
                if (WriteScalar(item))
                {
                    return;
                }

                if (!ancestors.Add(item))
                {
                    throw Invalid("it refers to itself (a cycle)");
                }

                try
                {
                    WriteComposite(item, wrapped, depth);
                }
                finally
                {
                    ancestors.Remove(item);
                }
            }

            private bool WriteScalar(object item)
            {
                switch (item)
                {
                    case null:
                        json.WriteNullValue();
                        return true;
                    case string text:
                        json.WriteStringValue(Unicode(text));
                        return true;
                    case char c:
                        json.WriteStringValue(Unicode(c.ToString()));
                        return true;
                    case bool flag:
                        json.WriteBooleanValue(flag);
                        return true;
                    case DateTime time:
                        json.WriteStringValue(time.ToString("o", CultureInfo.InvariantCulture));
                        return true;
                    case DateTimeOffset time:
                        json.WriteStringValue(time.ToString("o", CultureInfo.InvariantCulture));
                        return true;
                    case Uri uri:
                        json.WriteStringValue(uri.OriginalString);
                        return true;
                    case Guid guid:
                        json.WriteStringValue(guid.ToString());
                        return true;
                    case Enum choice:
                        json.WriteRawValue(Convert.ToString(Convert.ChangeType(choice, Enum.GetUnderlyingType(choice.GetType()), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
                        return true;
                    case SwitchParameter flag:
                        json.WriteBooleanValue(flag.IsPresent);
                        return true;
                    case double d when double.IsNaN(d) || double.IsInfinity(d):
                        json.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                        return true;
                    case float f when float.IsNaN(f) || float.IsInfinity(f):
                        json.WriteStringValue(f.ToString(CultureInfo.InvariantCulture));
                        return true;
                    case double _:
                    case float _:
                    case decimal _:
                    case int _:
                    case long _:
                    case short _:
                    case byte _:
                    case sbyte _:
                    case uint _:
                    case ulong _:
                    case ushort _:
                        json.WriteRawValue(Convert.ToString(item, CultureInfo.InvariantCulture));
                        return true;
                    default:
                        return false;
                }
            }

            private void WriteComposite(object item, PSObject wrapped, int depth)
            {
                switch (item)
                {
                    case IDictionary dictionary:
                        json.WriteStartObject();
                        foreach (DictionaryEntry entry in dictionary)
                        {
                            json.WritePropertyName(Unicode(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)));
                            Write(entry.Value, depth + 1);
                        }

                        json.WriteEndObject();
                        return;
                    case IEnumerable items:
                        json.WriteStartArray();
                        foreach (var element in items)
                        {
                            Write(element, depth + 1);
                        }

                        json.WriteEndArray();
                        return;
                }

                // A PSCustomObject or any other object: its properties.
                json.WriteStartObject();
                foreach (var property in (wrapped ?? PSObject.AsPSObject(item)).Properties.Where(p => p.IsGettable && (p.MemberType == PSMemberTypes.NoteProperty || p.MemberType == PSMemberTypes.Property)))
                {
                    object propertyValue;
                    try
                    {
                        propertyValue = property.Value;
                    }
                    catch (GetValueException)
                    {
                        propertyValue = null;
                    }

                    json.WritePropertyName(Unicode(property.Name));
                    Write(propertyValue, depth + 1);
                }

                json.WriteEndObject();
            }
        }

        private sealed class ReferenceComparer : IEqualityComparer<object>
        {
            public static readonly ReferenceComparer Instance = new ReferenceComparer();

            public new bool Equals(object x, object y) => ReferenceEquals(x, y);

            public int GetHashCode(object obj) => RuntimeHelpers.GetHashCode(obj);
        }
    }
}
