using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Xunit;
using TSheets.Auth.Api;
using TSheets.Auth.Common;

namespace TSheets.Auth.Tests
{
    public class ApiPathTests
    {
        private static readonly Uri Base = new Uri("https://rest.tsheets.com/api/v1");
        private static readonly Uri TenantA = new Uri("https://gateway.example/tenant-a/api/v1");

        private static readonly KeyValuePair<string, string>[] NoQuery = Array.Empty<KeyValuePair<string, string>>();

        [Theory]
        [InlineData("users", "https://rest.tsheets.com/api/v1/users")]
        [InlineData("/users", "https://rest.tsheets.com/api/v1/users")]
        [InlineData("  users  ", "https://rest.tsheets.com/api/v1/users")]
        [InlineData("users?x=1", "https://rest.tsheets.com/api/v1/users?x=1")]
        [InlineData("a/../timesheets", "https://rest.tsheets.com/api/v1/timesheets")]
        [InlineData("./current_user", "https://rest.tsheets.com/api/v1/current_user")]
        [InlineData("reports//payroll/", "https://rest.tsheets.com/api/v1/reports/payroll")]
        [InlineData("reports\\payroll", "https://rest.tsheets.com/api/v1/reports/payroll")]
        [InlineData("a/%2E%2e/timesheets", "https://rest.tsheets.com/api/v1/timesheets")]
        public void BuildsAddressesUnderTheBase(string path, string expected)
        {
            Assert.Equal(expected, ApiPath.Build(Base, path, NoQuery).AbsoluteUri);
        }

        [Fact]
        public void KeepsTheBasePathOfATenantGateway()
        {
            Assert.Equal("https://gateway.example/tenant-a/api/v1/users", ApiPath.Build(TenantA, "users", NoQuery).AbsoluteUri);
            Assert.Equal("https://gateway.example/tenant-a/api/v1/users", ApiPath.Build(new Uri("https://gateway.example/tenant-a/api/v1/"), "/users", NoQuery).AbsoluteUri);
        }

        [Theory]
        [InlineData("%2e%2e/%2e%2e/tenant-b/api/v1/users")]
        [InlineData("%2E%2E/%2E%2E/tenant-b/api/v1/users")]
        [InlineData("..\\..\\x")]
        [InlineData("..")]
        [InlineData("a/../..")]
        [InlineData("x/%2e%2e/%2e%2e/%2e%2e/root")]
        [InlineData(".%2E/.%2E/admin")]
        [InlineData("%2e./x")]
        [InlineData("https://evil.example/x")]
        [InlineData("HTTPS://evil.example/x")]
        [InlineData("//evil.example/x")]
        [InlineData("\\\\evil.example\\x")]
        [InlineData("/\\evil.example/x")]
        [InlineData("")]
        [InlineData(" ")]
        [InlineData("/")]
        [InlineData("./")]
        [InlineData("a%2f..%2f..%2fx")]
        [InlineData("a%2F..%2F..%2Fx")]
        [InlineData("a%5c..%5c..%5cx")]
        [InlineData("users%00.json")]
        [InlineData("mailto:x")]
        [InlineData("javascript:alert(1)")]
        [InlineData("users#fragment")]
        [InlineData("users\r\nHost: evil.example")]
        [InlineData("us\u0000ers")]
        [InlineData("us\ters")]
        [InlineData("us\u007fers")]
        [InlineData("users?x=\u001b[2J")]
        public void RefusesPathsThatLeaveTheBaseOrAreNotPaths(string path)
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => ApiPath.Build(TenantA, path, NoQuery));
            Assert.Equal(ErrorIds.InvalidPath, ex.ErrorId);
            Assert.Contains("nothing was sent", ex.Message);
            Assert.DoesNotContain("\r", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void RefusesANullPath()
        {
            Assert.Equal(ErrorIds.InvalidPath, Assert.Throws<TSheetsAuthException>(() => ApiPath.Build(Base, null, NoQuery)).ErrorId);
        }

        [Fact]
        public void ScrubsASecretPastedIntoTheRefusedPath()
        {
            var ex = Assert.Throws<TSheetsAuthException>(() => ApiPath.Build(Base, "https://evil.example/?access_token=" + Samples.AccessToken, NoQuery));
            Assert.DoesNotContain(Samples.AccessToken, ex.Message);
            Assert.DoesNotContain(Samples.AccessToken, ex.Target?.ToString() ?? string.Empty);
        }

        [Fact]
        public void PercentEncodesTheQueryAndKeepsItsOrder()
        {
            var query = new[]
            {
                new KeyValuePair<string, string>("name", "a b&c=d"),
                new KeyValuePair<string, string>("ids", "1,2,3"),
                new KeyValuePair<string, string>("modified_since", "2026-11-01T08:00:00+00:00"),
                new KeyValuePair<string, string>("q/x", "é#?"),
            };
            var uri = ApiPath.Build(Base, "users?active=true", query);
            Assert.Equal("https://rest.tsheets.com/api/v1/users?active=true&name=a%20b%26c%3Dd&ids=1%2C2%2C3&modified_since=2026-11-01T08%3A00%3A00%2B00%3A00&q%2Fx=%C3%A9%23%3F", uri.AbsoluteUri);
            Assert.Equal(
                new[] { ("active", "true"), ("name", "a b&c=d"), ("ids", "1,2,3"), ("modified_since", "2026-11-01T08:00:00+00:00"), ("q/x", "é#?") },
                PercentEncoding.ParseQuery(uri.Query).Select(p => (p.Key, p.Value)).ToArray());
        }

        [Fact]
        public void AQueryValueCannotSmuggleAPath()
        {
            var uri = ApiPath.Build(TenantA, "users", new[] { new KeyValuePair<string, string>("x", "/../../../tenant-b") });
            Assert.Equal("/tenant-a/api/v1/users", uri.AbsolutePath);
        }

        /// <summary>
        /// Random paths from the pieces that make traversals: every one is refused, or its address,
        /// read the way a lenient server would (percent escapes decoded, backslashes as slashes, dot
        /// segments removed), is still under the base path on the base's host.
        /// </summary>
        [Fact]
        public void WhateverThePathTheAddressStaysUnderTheBase()
        {
            var pieces = new[] { "..", ".", "%2e", "%2E", "%2e%2e", ".%2e", "/", "//", "\\", "a", "users", "tenant-b", "?", "&", "=", "%2f", "%5C", "%00", "%25", "%252e", ":", "@", "~", " ", "#", ";", "%3F", "é", "http:", "evil.example" };
            var seed = Environment.TickCount;
            var random = new Random(seed);
            var accepted = 0;
            for (var i = 0; i < 5000; i++)
            {
                var path = string.Concat(Enumerable.Range(0, random.Next(1, 9)).Select(_ => pieces[random.Next(pieces.Length)]));
                Uri uri;
                try
                {
                    uri = ApiPath.Build(TenantA, path, NoQuery);
                }
                catch (TSheetsAuthException ex) when (ex.ErrorId == ErrorIds.InvalidPath)
                {
                    continue;
                }
                catch (Exception ex)
                {
                    throw new Xunit.Sdk.XunitException($"seed {seed}: '{path}' threw {ex.GetType().Name}: {ex.Message}");
                }

                accepted++;
                Assert.True(uri.Scheme == "https" && uri.Authority == "gateway.example", $"seed {seed}: '{path}' -> {uri.AbsoluteUri}");
                var served = ServerView(uri.AbsolutePath);
                Assert.True(served.StartsWith("/tenant-a/api/v1/", StringComparison.Ordinal), $"seed {seed}: '{path}' -> {uri.AbsoluteUri}, which a server reads as {served}");
            }

            Assert.True(accepted > 100, $"seed {seed}: only {accepted} paths were accepted; the generator tests little");
        }

        /// <summary>A path as a lenient server resolves it: escapes decoded once, backslashes as slashes, dot segments removed.</summary>
        private static string ServerView(string absolutePath)
        {
            var decoded = Uri.UnescapeDataString(absolutePath).Replace('\\', '/');
            var output = new List<string>();
            foreach (var segment in decoded.Split('/').Skip(1))
            {
                if (segment == ".")
                {
                    continue;
                }

                if (segment == "..")
                {
                    if (output.Count > 0)
                    {
                        output.RemoveAt(output.Count - 1);
                    }

                    continue;
                }

                output.Add(segment);
            }

            return "/" + string.Join("/", output);
        }
    }
}
