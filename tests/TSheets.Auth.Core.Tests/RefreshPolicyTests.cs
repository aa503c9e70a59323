using System;
using Xunit;
using TSheets.Auth.Storage;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Tests
{
    public class RefreshPolicyTests
    {
        private static readonly DateTimeOffset Issued = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

        private static Connection Token(TimeSpan lifetime, bool refreshable = true, bool issuedKnown = true) =>
            Samples.Connection("default", Issued, lifetime, refresh: refreshable ? Samples.RefreshToken : null) with { IssuedOn = issuedKnown ? Issued : (DateTimeOffset?)null };

        [Theory]
        [InlineData(0, false)]
        [InlineData(4.99, false)]
        [InlineData(5, true)]
        [InlineData(9.99, true)]
        [InlineData(10, true)]
        [InlineData(11, true)]
        public void RefreshesPastHalfLife(double daysLater, bool due)
        {
            var connection = Token(TimeSpan.FromDays(10));
            Assert.Equal(due, RefreshPolicy.IsDue(connection, Issued + TimeSpan.FromDays(daysLater)));
        }

        [Theory]
        [InlineData(5.5, false)]
        [InlineData(4.5, true)]
        public void RefreshesUnderFiveMinutesLeftWhenTheIssueTimeIsUnknown(double minutesLeft, bool due)
        {
            var connection = Token(TimeSpan.FromDays(10), issuedKnown: false);
            Assert.Equal(due, RefreshPolicy.IsDue(connection, Issued + TimeSpan.FromDays(10) - TimeSpan.FromMinutes(minutesLeft)));
        }

        [Fact]
        public void LeavesAVeryYoungTokenAloneUnlessExpired()
        {
            var connection = Token(TimeSpan.FromMinutes(2));
            Assert.False(RefreshPolicy.IsDue(connection, Issued + TimeSpan.FromSeconds(10)));
            Assert.True(RefreshPolicy.IsDue(connection, Issued + TimeSpan.FromSeconds(31)));
        }

        [Fact]
        public void NeverRefreshesWhatCannotBeRefreshed()
        {
            var connection = Token(TimeSpan.FromDays(10), refreshable: false);
            Assert.False(RefreshPolicy.IsDue(connection, Issued + TimeSpan.FromDays(20)));
            Assert.True(RefreshPolicy.IsExpired(connection, Issued + TimeSpan.FromDays(20)));
        }

        [Fact]
        public void NeverRefreshesAnUnknownExpiry()
        {
            var connection = Samples.Connection("default", Issued, TimeSpan.Zero) with { ExpiresOn = null };
            Assert.False(RefreshPolicy.IsDue(connection, Issued + TimeSpan.FromDays(1000)));
            Assert.False(RefreshPolicy.IsExpired(connection, Issued + TimeSpan.FromDays(1000)));
        }
    }
}
