using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.Tokens;

namespace TSheets.Auth.Api
{
    /// <summary>
    /// The API's handler chain, outermost first: 429/503 waits, the bearer token with one refresh
    /// after a 401, pacing per token, then one try with its timeout and bounded answer. Composed
    /// once per network settings over the same primary handlers <c>/grant</c> uses.
    /// </summary>
    internal static class ApiPipelines
    {
        public static HttpPipelines Compose(PrimaryHandlers primaries, TokenRefresher tokens, Pacer pacer, IClock clock) =>
            new HttpPipelines(primaries, primary => new RetryHandler(clock, pacer)
            {
                InnerHandler = new BearerHandler(tokens)
                {
                    InnerHandler = new PacingHandler(pacer, clock)
                    {
                        InnerHandler = new TryTimeoutHandler { InnerHandler = primary },
                    },
                },
            });
    }
}
