using System.Collections.Specialized;
using System.Linq;
using TSheets.Auth.Api;
using Xunit;

namespace TSheets.Auth.Tests
{
    /// <summary>-Items' reading of an answer, what a batch error says of the other items, and counts in words.</summary>
    public class ApiItemsTests
    {
        private static object Answer(string json) => ApiShapes.Normalize(JsonValues.Parse(json));

        [Fact]
        public void TheItemsAreTheValuesTSheetsKeysByIdInOrder()
        {
            var items = ApiShapes.Items(Answer("{\"results\":{\"users\":{\"1001\":{\"id\":1001},\"1002\":{\"id\":1002}}},\"more\":false,\"supplemental_data\":{\"jobcodes\":{\"7\":{\"id\":7}}}}"));

            Assert.Equal(new object[] { 1001L, 1002L }, items.Select(i => ((OrderedDictionary)i)["id"]).Select(System.Convert.ToInt64).Cast<object>().ToArray());
        }

        [Fact]
        public void AnEmptyCollectionInPhpsArrayShapeIsNoItem()
        {
            Assert.Empty(ApiShapes.Items(Answer("{\"results\":{\"users\":[]},\"more\":false}")));
        }

        [Fact]
        public void AnAnswerWithoutResultsHasNoItems()
        {
            Assert.Null(ApiShapes.Items(Answer("{\"effective_settings\":{}}")));
            Assert.Null(ApiShapes.Items(null));
        }

        [Theory]
        [InlineData(2, 0, "The other 2 items were accepted.")]
        [InlineData(1, 0, "The other item was accepted.")]
        [InlineData(0, 0, "It was the only item.")]
        [InlineData(0, 1, "1 other item was refused too, and none was accepted.")]
        [InlineData(3, 2, "2 other items were refused too; 3 items were accepted.")]
        public void ABatchErrorSaysTrulyWhatBecameOfTheOthers(int accepted, int otherRefused, string said)
        {
            Assert.Equal(said, ApiFailures.Others(accepted, otherRefused));
        }

        [Theory]
        [InlineData(1, "1 page")]
        [InlineData(2, "2 pages")]
        [InlineData(0, "0 pages")]
        public void CountsReadAsWords(long count, string said)
        {
            Assert.Equal(said, PageReader.Count(count, "page"));
        }
    }
}
