using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using TSheets.Auth.Interactive;

namespace TSheets.Auth.Tests
{
    public class InteractionCheckTests
    {
        private static Func<string, string> Env(params string[] nameValuePairs)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < nameValuePairs.Length; i += 2)
            {
                map[nameValuePairs[i]] = nameValuePairs[i + 1];
            }

            return name => map.TryGetValue(name, out var value) ? value : null;
        }

        private static InteractionFacts Person(string host = "ConsoleHost") => new InteractionFacts
        {
            HostName = host,
            HostHasUserInterface = true,
            UserInteractive = true,
            SessionId = 1,
        };

        [Theory]
        [InlineData("ConsoleHost")]
        [InlineData("Visual Studio Code Host")]
        [InlineData("Windows PowerShell ISE Host")]
        public void APersonAtAHostWithUserInterfaceCanAnswer(string host)
        {
            Assert.Null(InteractionCheck.WhyNoOneCanAnswer(Person(host)));
            var windows = Person(host);
            windows.IsWindows = true;
            windows.SessionId = 2;
            Assert.Null(InteractionCheck.WhyNoOneCanAnswer(windows));
        }

        [Theory]
        [InlineData("NonInteractiveSwitch", "-NonInteractive")]
        [InlineData("Default Host", "'Default Host'")]
        [InlineData("ServerRemoteHost", "'ServerRemoteHost'")]
        [InlineData("HostHasUserInterface=false", "no user interface")]
        [InlineData("UserInteractive=false", "not an interactive Windows session")]
        [InlineData("Windows session 0", "session 0")]
        [InlineData("ConsoleHost input redirected", "standard input is redirected")]
        public void SaysWhyNoOneCanAnswer(string reason, string said)
        {
            var facts = Person();
            switch (reason)
            {
                case "NonInteractiveSwitch": facts.NonInteractiveSwitch = true; break;
                case "Default Host": facts.HostName = "Default Host"; break;
                case "ServerRemoteHost": facts.HostName = "ServerRemoteHost"; break;
                case "HostHasUserInterface=false": facts.HostHasUserInterface = false; break;
                case "UserInteractive=false": facts.UserInteractive = false; break;
                case "Windows session 0": facts.IsWindows = true; facts.SessionId = 0; break;
                case "ConsoleHost input redirected": facts.InputRedirected = true; break;
            }

            var why = InteractionCheck.WhyNoOneCanAnswer(facts);
            Assert.NotNull(why);
            Assert.Contains(said, why);
        }

        [Fact]
        public void SessionZeroCountsOnlyOnWindows()
        {
            var facts = Person();
            facts.SessionId = 0;
            facts.IsWindows = false;
            Assert.Null(InteractionCheck.WhyNoOneCanAnswer(facts));
        }

        [Theory]
        [InlineData("Visual Studio Code Host")]
        [InlineData("Windows PowerShell ISE Host")]
        public void RedirectedInputDoesNotStopAHostThatDoesNotReadItsPromptsFromStandardInput(string host)
        {
            var facts = Person(host);
            facts.InputRedirected = true;
            Assert.Null(InteractionCheck.WhyNoOneCanAnswer(facts));
        }

        [Fact]
        public void TheNonInteractiveSwitchWinsOverEveryOtherFact()
        {
            var facts = Person("Visual Studio Code Host");
            facts.NonInteractiveSwitch = true;
            Assert.Contains("-NonInteractive", InteractionCheck.WhyNoOneCanAnswer(facts));
        }

        [Theory]
        [InlineData(false, false, true)]
        [InlineData(true, false, false)]
        [InlineData(false, true, false)]
        public void OnLinuxABrowserNeedsADisplay(bool windows, bool mac, bool expectNoBrowser)
        {
            var facts = Person();
            facts.IsWindows = windows;
            facts.IsMacOS = mac;
            facts.Environment = Env("HOME", "/home/u");
            var why = InteractionCheck.WhyNoBrowser(facts);
            Assert.Equal(expectNoBrowser, why != null);
            if (expectNoBrowser)
            {
                Assert.Contains("DISPLAY", why);
            }
        }

        [Theory]
        [InlineData("DISPLAY", ":0")]
        [InlineData("WAYLAND_DISPLAY", "wayland-0")]
        public void EitherDisplayVariableIsADisplay(string variable, string value)
        {
            var facts = Person();
            facts.Environment = Env(variable, value);
            Assert.Null(InteractionCheck.WhyNoBrowser(facts));
        }

        [Theory]
        [InlineData("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22", false)]
        [InlineData("SSH_TTY", "/dev/pts/3", false)]
        [InlineData("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22", true)]
        public void OverSshNoBrowserOpensEvenWithADisplayOrOnWindows(string variable, string value, bool windows)
        {
            var facts = Person();
            facts.IsWindows = windows;
            facts.Environment = Env("DISPLAY", "localhost:10.0", variable, value);
            Assert.Contains("SSH", InteractionCheck.WhyNoBrowser(facts));
        }

        [Theory]
        [InlineData("SSH_CONNECTION")]
        [InlineData("no display")]
        public void BrowserSetWinsOverSshAndNoDisplay(string situation)
        {
            var facts = Person();
            facts.Environment = situation == "no display"
                ? Env("BROWSER", "w3m")
                : Env("BROWSER", "w3m", "SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22", "SSH_TTY", "/dev/pts/3");
            Assert.Null(InteractionCheck.WhyNoBrowser(facts));

            var without = Person();
            without.Environment = situation == "no display" ? Env() : Env("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22", "SSH_TTY", "/dev/pts/3");
            Assert.NotNull(InteractionCheck.WhyNoBrowser(without));
        }

        [Fact]
        public void ABlankBrowserVariableIsNoBrowser()
        {
            var facts = Person();
            facts.Environment = Env("BROWSER", "   ");
            Assert.NotNull(InteractionCheck.WhyNoBrowser(facts));
        }

        [Fact]
        public void TheFactsOfThisProcessReadTheHostsWordTheProcessAndTheInjectedEnvironment()
        {
            var facts = InteractionFacts.OfThisProcess("Some Host", hostHasUserInterface: true, nonInteractiveSwitch: true, environment: name => name == "PATH" ? "the injected PATH" : null);
            Assert.Equal("Some Host", facts.HostName);
            Assert.True(facts.NonInteractiveSwitch);
            Assert.True(facts.HostHasUserInterface);
            Assert.Equal(Environment.UserInteractive, facts.UserInteractive);
            Assert.Equal(Console.IsInputRedirected, facts.InputRedirected);
            Assert.Equal(OperatingSystem.IsWindows(), facts.IsWindows);
            Assert.Equal("the injected PATH", facts.Environment("PATH"));
        }
    }
}
