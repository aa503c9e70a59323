using System;
using System.Threading;
using System.Threading.Tasks;

namespace TSheets.Auth.Common
{
    internal static class TaskExtensions
    {
        /// <summary>
        /// Waits for <paramref name="task"/> until <paramref name="cancellationToken"/> fires. The
        /// task itself goes on: a shared refresh must finish (and store its pair) even when one of
        /// its waiters presses Ctrl+C.
        /// </summary>
        public static async Task<T> WaitOrCancel<T>(this Task<T> task, CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled || task.IsCompleted)
            {
                return await task.ConfigureAwait(false);
            }

            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            {
                if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }

            return await task.ConfigureAwait(false);
        }
    }
}
