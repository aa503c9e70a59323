using System;
using System.Collections;
using System.Collections.Specialized;
using System.Management.Automation;
using Xunit;

namespace TSheets.Auth.Commands.Tests
{
    /// <summary>PowerShell objects to JSON request bodies, and JSON answers to PSCustomObjects, over the real PowerShell 7.6.</summary>
    public class JsonConversionTests
    {
        private enum Color
        {
            Red = 1,
            Blue = 7,
        }

        [Fact]
        public void SendsAJsonStringAsItIs()
        {
            Assert.Equal("{\"data\":[1]}", JsonConversion.ToJsonBody("{\"data\":[1]}"));
            Assert.Equal("[]", JsonConversion.ToJsonBody(PSObject.AsPSObject("[]")));
        }

        [Fact]
        public void WritesHashtablesListsAndScalarsAsConvertToJsonDoes()
        {
            var body = new OrderedDictionary
            {
                ["s"] = "text",
                ["i"] = 42,
                ["d"] = 2.5,
                ["b"] = true,
                ["n"] = null,
                ["list"] = new object[] { 1, "two", false },
                ["uri"] = new Uri("https://example.com/a b"),
                ["guid"] = new Guid("00000000-0000-0000-0000-000000000001"),
                ["enum"] = Color.Blue,
                ["nan"] = double.NaN,
                ["switch"] = new SwitchParameter(true),
            };
            Assert.Equal(
                "{\"s\":\"text\",\"i\":42,\"d\":2.5,\"b\":true,\"n\":null,\"list\":[1,\"two\",false],\"uri\":\"https://example.com/a b\","
                + "\"guid\":\"00000000-0000-0000-0000-000000000001\",\"enum\":7,\"nan\":\"NaN\",\"switch\":true}",
                JsonConversion.ToJsonBody(body));
        }

        [Fact]
        public void WritesAPSCustomObjectsNotePropertiesInOrder()
        {
            var item = new PSObject();
            item.Properties.Add(new PSNoteProperty("user_id", 1001));
            item.Properties.Add(new PSNoteProperty("date", new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.FromHours(-6))));
            var body = new Hashtable { ["data"] = new object[] { item } };
            Assert.Equal("{\"data\":[{\"user_id\":1001,\"date\":\"2026-11-27T08:00:00.0000000-06:00\"}]}", JsonConversion.ToJsonBody(body));
        }

        [Fact]
        public void RefusesACycleAsInvalidBody()
        {
            var loop = new Hashtable();
            loop["self"] = loop;
            var ex = Assert.Throws<TSheetsAuthException>(() => JsonConversion.ToJsonBody(loop));
            Assert.Equal("InvalidBody", ex.ErrorId);
            Assert.Contains("refers to itself", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void RefusesABodyNestedTooDeepAsInvalidBody()
        {
            object deep = 1;
            for (var i = 0; i < 40; i++)
            {
                deep = new object[] { deep };
            }

            var ex = Assert.Throws<TSheetsAuthException>(() => JsonConversion.ToJsonBody(deep));
            Assert.Equal("InvalidBody", ex.ErrorId);
            Assert.Contains("32 levels", ex.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(0xD800, "half {0} a pair")]
        [InlineData(0xDC00, "{0} alone")]
        public void RefusesHalfASurrogatePairBeforeSendingAnything(int half, string shape)
        {
            // Made here: a lone surrogate does not survive the test runner's own serialization of theory data.
            var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, (char)half);
            Assert.Equal("InvalidBody", Assert.Throws<TSheetsAuthException>(() => JsonConversion.ToJsonBody(text)).ErrorId);
            Assert.Equal("InvalidBody", Assert.Throws<TSheetsAuthException>(() => JsonConversion.ToJsonBody(new Hashtable { ["k"] = text })).ErrorId);
        }

        [Fact]
        public void KeepsAWholeSurrogatePair()
        {
            Assert.Equal("{\"k\":\"\uD83D\uDE00\"}", JsonConversion.ToJsonBody(new Hashtable { ["k"] = "\uD83D\uDE00" }).Replace("\\uD83D\\uDE00", "\uD83D\uDE00", StringComparison.Ordinal));
        }

        [Fact]
        public void TurnsCoresJsonValuesIntoPSCustomObjects()
        {
            var users = new OrderedDictionary { ["1001"] = new OrderedDictionary { ["id"] = 1001, ["active"] = true } };
            var page = new OrderedDictionary { ["results"] = new OrderedDictionary { ["users"] = users }, ["more"] = false, ["list"] = new object[] { "a", new OrderedDictionary { ["b"] = 2 } } };
            var converted = Assert.IsType<PSObject>(JsonConversion.ToPSObject(page));
            var user = (PSObject)((PSObject)((PSObject)converted.Properties["results"].Value).Properties["users"].Value).Properties["1001"].Value;
            Assert.Equal(1001, user.Properties["id"].Value);
            Assert.Equal(true, user.Properties["active"].Value);
            Assert.Equal(false, converted.Properties["more"].Value);
            var list = Assert.IsType<object[]>(converted.Properties["list"].Value);
            Assert.Equal("a", list[0]);
            Assert.Equal(2, ((PSObject)list[1]).Properties["b"].Value);
            Assert.Equal(new[] { "results", "more", "list" }, System.Linq.Enumerable.Select(converted.Properties, p => p.Name));
        }

        [Fact]
        public void LeavesScalarsAsTheyAre()
        {
            Assert.Equal("text", JsonConversion.ToPSObject("text"));
            Assert.Null(JsonConversion.ToPSObject(null));
            Assert.Equal(9007199254740993L, JsonConversion.ToPSObject(9007199254740993L));
        }
    }
}
