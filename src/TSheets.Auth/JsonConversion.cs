using System;
using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.Json;

namespace TSheets.Auth.Commands
{
    /// <summary>PowerShell objects to JSON request bodies, and Core's JSON values to PSCustomObjects.</summary>
    internal static class JsonConversion
    {
        private const int MaxDepth = 32;

        /// <summary>A JSON string is sent as it is; anything else is serialized.</summary>
        public static string ToJsonBody(object body)
        {
            var value = body is PSObject wrapped ? wrapped.BaseObject : body;
            if (value is string text)
            {
                return text;
            }

            using (var buffer = new MemoryStream())
            {
                using (var json = new Utf8JsonWriter(buffer))
                {
                    Write(json, body, 0);
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

        private static void Write(Utf8JsonWriter json, object value, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new ArgumentException($"The body is nested more than {MaxDepth} levels deep.");
            }

            var wrapped = value as PSObject;
            var baseObject = wrapped?.BaseObject ?? value;
            switch (baseObject)
            {
                case null:
                    json.WriteNullValue();
                    return;
                case string text:
                    json.WriteStringValue(text);
                    return;
                case char c:
                    json.WriteStringValue(c.ToString());
                    return;
                case bool flag:
                    json.WriteBooleanValue(flag);
                    return;
                case DateTime time:
                    json.WriteStringValue(time.ToString("o", CultureInfo.InvariantCulture));
                    return;
                case DateTimeOffset time:
                    json.WriteStringValue(time.ToString("o", CultureInfo.InvariantCulture));
                    return;
                case Enum choice:
                    json.WriteStringValue(choice.ToString());
                    return;
                case SwitchParameter flag:
                    json.WriteBooleanValue(flag.IsPresent);
                    return;
                case IDictionary dictionary:
                    json.WriteStartObject();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        json.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture));
                        Write(json, entry.Value, depth + 1);
                    }

                    json.WriteEndObject();
                    return;
                case IEnumerable items:
                    json.WriteStartArray();
                    foreach (var item in items)
                    {
                        Write(json, item, depth + 1);
                    }

                    json.WriteEndArray();
                    return;
            }

            if (IsNumber(baseObject))
            {
                json.WriteRawValue(Convert.ToString(baseObject, CultureInfo.InvariantCulture));
                return;
            }

            // A PSCustomObject or any other object: its properties.
            json.WriteStartObject();
            foreach (var property in (wrapped ?? PSObject.AsPSObject(baseObject)).Properties.Where(p => p.IsGettable && (p.MemberType == PSMemberTypes.NoteProperty || p.MemberType == PSMemberTypes.Property)))
            {
                json.WritePropertyName(property.Name);
                Write(json, property.Value, depth + 1);
            }

            json.WriteEndObject();
        }

        private static bool IsNumber(object value) =>
            value is int || value is long || value is short || value is byte || value is sbyte || value is uint || value is ulong || value is ushort
            || value is decimal || (value is double d && !double.IsNaN(d) && !double.IsInfinity(d)) || (value is float f && !float.IsNaN(f) && !float.IsInfinity(f));
    }
}
