// Where a JSON Pointer's value is in a JSON file: the line and column that messages name.

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "../../src/model/json_positions.hpp"
#include "capsim/model/document.hpp"
#include "capsim/model/load.hpp"

namespace capsim::model {
namespace {

using Place = std::pair<std::size_t, std::size_t>;

Place at(const std::string& text, const std::string& pointer, bool duplicate = false) {
  const auto found = json_position(text, pointer, duplicate);
  return found ? *found : Place{0, 0};
}

TEST(JsonPositions, FindsMembersAndElementsByTheirValue) {
  const std::string text =
      "{\n"
      "  \"name\": \"m\",\n"
      "  \"services\": [\n"
      "    { \"name\": \"api\", \"replicas\": 3 },\n"
      "    { \"name\": \"db\",  \"work\": { \"mean\": \"5ms\" } }\n"
      "  ]\n"
      "}\n";
  EXPECT_EQ(at(text, ""), (Place{1, 1}));
  EXPECT_EQ(at(text, "/name"), (Place{2, 11}));
  EXPECT_EQ(at(text, "/services"), (Place{3, 15}));
  EXPECT_EQ(at(text, "/services/0"), (Place{4, 5}));
  EXPECT_EQ(at(text, "/services/0/replicas"), (Place{4, 34}));
  EXPECT_EQ(at(text, "/services/1/work/mean"), (Place{5, 40}));
}

TEST(JsonPositions, AMissingMemberIsPlacedAtTheDeepestValueOnItsPath) {
  const std::string text = "{\"a\": {\"b\": 1},\n \"c\": [10, 20]}";
  EXPECT_EQ(at(text, "/a/x"), (Place{1, 7}));          // the object that lacks it
  EXPECT_EQ(at(text, "/c/5"), (Place{2, 7}));          // the array, too short
  EXPECT_EQ(at(text, "/a/b/deeper"), (Place{1, 13}));  // a number has no members
}

TEST(JsonPositions, SkipsStringsCommentsAndEscapedKeys) {
  const std::string text =
      "// a model\n"
      "{ /* \"a\": 0 */ \"s\": \"a, b ] } \\\" {\",\n"
      "  \"x/y\": [ [1, 2], {\"k\": \"]\"} ],\n"
      "  \"caf\\u00e9\": 7,\n"
      "  \"a\": true }";
  EXPECT_EQ(at(text, "/x~1y/1/k"), (Place{3, 26}));
  EXPECT_EQ(at(text, "/caf\xC3\xA9"), (Place{4, 16}));
  EXPECT_EQ(at(text, "/a"), (Place{5, 8}));
}

TEST(JsonPositions, ADuplicateKeyIsPlacedAtItsSecondOccurrence) {
  const std::string text = "{\"a\": {\"k\": 1,\n  \"k\": 2}}";
  EXPECT_EQ(at(text, "/a/k", true), (Place{2, 3}));
  EXPECT_EQ(at(text, "/a/k", false), (Place{1, 13}));
}

TEST(JsonPositions, ColumnsCountCharactersNotBytes) {
  const std::string text = "{\"d\": \"\xC3\xA9\xC3\xA9\", \"n\": 1}";
  EXPECT_EQ(at(text, "/n"), (Place{1, 18}));
}

TEST(JsonPositions, ParseErrorsForADuplicateKeyNameItsLineAndColumn) {
  try {
    parse_json("{\n  \"a\": 1,\n  \"b\": {\"c\": 1, \"c\": 2}\n}", "m.json");
    FAIL() << "a duplicate key was accepted";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(),
                 "/b/c: duplicate key; expected each key once in an object (m.json: line 3, "
                 "column 17)");
  }
}

TEST(JsonPositions, ManyPointersInOneReadingAgreeWithOneAtATime) {
  // locate() reads the text once for all its messages (a hundred places in a 30 MB file took
  // ten seconds one at a time).
  const std::string text =
      "// c\n{ \"a\": {\"b\": [1, {\"c\": \"x\"}], \"d\": 2},\n  \"e\\u00e9\": [[3], 4],\n"
      "  \"f\": null }";
  const std::vector<std::string> pointers = {
      "/a/b/1/c",      "",    "/e\xC3\xA9/0/0", "/a/zz", "/f", "/a/b/1/c", "/nope/deeper",
      "not a pointer", "/a/d"};
  const auto batch = json_positions(text, pointers);
  ASSERT_EQ(batch.size(), pointers.size());
  for (std::size_t i = 0; i < pointers.size(); ++i) {
    EXPECT_EQ(batch[i], json_position(text, pointers[i])) << pointers[i];
  }
}

TEST(JsonPositions, ANotWellFormedTextGivesAPlaceNotAFault) {
  // Not reachable from a parsed document; the scanner must still stop at the end.
  for (const std::string text : {"{\"a\": [1, 2", "{\"a\"", "[", "{\"a\": \"unterminated", "/*"}) {
    EXPECT_NO_THROW(json_position(text, "/a/1"));
    EXPECT_NO_THROW(json_position(text, "/a/b", true));
  }
}

}  // namespace
}  // namespace capsim::model
