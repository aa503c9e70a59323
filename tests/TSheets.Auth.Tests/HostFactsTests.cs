using System;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using Xunit;

namespace TSheets.Auth.Commands.Tests
{
    /// <summary>What the host says about whether a person can answer: its name, its UI, and -NonInteractive in any form pwsh takes.</summary>
    public class HostFactsTests
    {
        [Theory]
        [InlineData("-NonInteractive", true)]
        [InlineData("-noninteractive", true)]
        [InlineData("-noni", true)]
        [InlineData("-nonint", true)]
        [InlineData("--NonInteractive", true)]
        [InlineData("/NonInteractive", true)]
        [InlineData("-non", false)]
        [InlineData("-NoProfile", false)]
        [InlineData("-NonInteractiveX", false)]
        [InlineData("NonInteractive", false)]
        [InlineData("", false)]
        [InlineData(null, false)]
        public void KnowsEveryFormOfNonInteractive(string argument, bool expected)
        {
            Assert.Equal(expected, HostFacts.IsNonInteractiveSwitch(argument));
        }

        [Fact]
        public void ReadsTheSwitchAnywhereOnTheCommandLine()
        {
            Assert.True(HostFacts.StartedNonInteractive(new[] { "pwsh", "-NoProfile", "-noni", "-File", "job.ps1" }));
            Assert.False(HostFacts.StartedNonInteractive(new[] { "pwsh", "-File", "-noninteractive.ps1x" }));
            Assert.False(HostFacts.StartedNonInteractive(null));
        }

        [Fact]
        public void ReadsTheHostsNameAndWhetherItHasAUserInterface()
        {
            var view = HostFacts.Of(new FakeHost("ConsoleHost", withUi: true), new[] { "pwsh", "-NonInteractive" });
            Assert.Equal("ConsoleHost", view.Name);
            Assert.True(view.HasUserInterface);
            Assert.True(view.NonInteractive);

            var job = HostFacts.Of(new FakeHost("ServerRemoteHost", withUi: false), new[] { "pwsh" });
            Assert.Equal(("ServerRemoteHost", false, false), (job.Name, job.HasUserInterface, job.NonInteractive));
        }

        [Fact]
        public void SaysNothingOfAMissingHost()
        {
            var none = HostFacts.Of(null, Array.Empty<string>());
            Assert.Null(none.Name);
            Assert.False(none.HasUserInterface);
        }

        [Fact]
        public void ReadsTheDefaultHostOfAHostedRunspace()
        {
            using var shell = PowerShell.Create();
            shell.AddScript("$Host");
            var host = (PSHost)shell.Invoke()[0].BaseObject;
            var view = HostFacts.Of(host, Array.Empty<string>());
            Assert.Equal(host.Name, view.Name);
            Assert.Equal(host.UI != null, view.HasUserInterface);
        }

        private sealed class FakeHost : PSHost
        {
            private readonly PSHostUserInterface ui;

            public FakeHost(string name, bool withUi)
            {
                Name = name;
                ui = withUi ? new NullUi() : null;
            }

            public override string Name { get; }

            public override PSHostUserInterface UI => ui;

            public override Version Version => new Version(1, 0);

            public override Guid InstanceId { get; } = Guid.NewGuid();

            public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

            public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

            public override void EnterNestedPrompt() => throw new NotSupportedException();

            public override void ExitNestedPrompt() => throw new NotSupportedException();

            public override void NotifyBeginApplication()
            {
            }

            public override void NotifyEndApplication()
            {
            }

            public override void SetShouldExit(int exitCode)
            {
            }
        }

        private sealed class NullUi : PSHostUserInterface
        {
            public override PSHostRawUserInterface RawUI => null;

            public override System.Collections.Generic.Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw new NotSupportedException();

            public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException();

            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();

            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();

            public override string ReadLine() => throw new NotSupportedException();

            public override System.Security.SecureString ReadLineAsSecureString() => throw new NotSupportedException();

            public override void Write(string value)
            {
            }

            public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value)
            {
            }

            public override void WriteDebugLine(string message)
            {
            }

            public override void WriteErrorLine(string value)
            {
            }

            public override void WriteLine(string value)
            {
            }

            public override void WriteProgress(long sourceId, ProgressRecord record)
            {
            }

            public override void WriteVerboseLine(string message)
            {
            }

            public override void WriteWarningLine(string message)
            {
            }
        }
    }
}
