# Seconds each Pester file took on the last full run measured here (2 cores). Only the order in
# which parallel shards take the files comes from it (longest first, so no shard is left with a
# long file at the end); a file missing here goes first, a wrong figure only costs balance.
@{
    'VaultSession.Tests.ps1' = 127
    'Vault.Tests.ps1' = 121
    'Remembered.Tests.ps1' = 73
    'VaultErrors.Tests.ps1' = 66
    'Security.Tests.ps1' = 54
    'OddStoredData.Tests.ps1' = 48
    'Conformance.Tests.ps1' = 36
    'ConnectionNames.Tests.ps1' = 27
    'SlowFailure.Tests.ps1' = 26
    'PacingAcrossProcesses.Tests.ps1' = 21
    'Automation.Tests.ps1' = 18
    'Walkthrough.Tests.ps1' = 18
    'LockFolder.Tests.ps1' = 16
    'Interactive.Tests.ps1' = 14
    'BrowserHandoff.Tests.ps1' = 14
    'Citizen.Tests.ps1' = 11
    'SignInDeadEnds.Tests.ps1' = 10
    'FirstHour.Tests.ps1' = 9
    'ProxySquid.Tests.ps1' = 9
    'ProxyHarness.Tests.ps1' = 8
    'Prerequisites.Tests.ps1' = 6
    'RestMethod.Tests.ps1' = 6
    'Token.Tests.ps1' = 6
    'ProxyRules.Tests.ps1' = 5
    'Connect.Tests.ps1' = 2
    'AuthorizationUrl.Tests.ps1' = 1
    'Module.Tests.ps1' = 0
}
