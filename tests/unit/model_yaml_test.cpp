// YAML documents read as the JSON with the same keys; bad YAML refused with line and column.

#include <gtest/gtest.h>

#include <string>

#include "capsim/model/document.hpp"
#include "capsim/model/load.hpp"

namespace capsim::model {
namespace {

std::string message_of(const std::string& text) {
  try {
    parse_yaml(text, "m.yaml");
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Yaml, ScalarsResolveByTheCoreSchema) {
  const Json doc = parse_yaml(
      "a: 10\nb: -3\nc: 1.5\nd: 2e3\ne: true\nf: ~\ng:\nh: 10m\ni: '10'\nj: \"true\"\n"
      "k: yes\nl: !!str 5\nm: !!float 5\n",
      "m.yaml");
  EXPECT_TRUE(doc["a"].is_number_unsigned());  // as nlohmann reads 10 in JSON
  EXPECT_EQ(doc["a"], 10);
  EXPECT_TRUE(doc["b"].is_number_integer());
  EXPECT_EQ(doc["b"], -3);
  EXPECT_DOUBLE_EQ(doc["c"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(doc["d"].get<double>(), 2000.0);
  EXPECT_EQ(doc["e"], true);
  EXPECT_TRUE(doc["f"].is_null());
  EXPECT_TRUE(doc["g"].is_null());
  EXPECT_EQ(doc["h"], "10m");
  EXPECT_EQ(doc["i"], "10");    // quoted: a string
  EXPECT_EQ(doc["j"], "true");  // quoted: a string
  EXPECT_EQ(doc["k"], "yes");   // YAML 1.2: not a boolean
  EXPECT_EQ(doc["l"], "5");
  EXPECT_TRUE(doc["m"].is_number_float());
}

TEST(Yaml, SameJsonAsTheJsonTwin) {
  const Json yaml = parse_yaml(
      "name: x\nworkloads:\n  - {name: w, target: s, rate: 8}\nservices:\n  s: {workers: 1}\n",
      "m.yaml");
  const Json json = parse_json(
      R"({"name":"x","workloads":[{"name":"w","target":"s","rate":8}],"services":{"s":{"workers":1}}})",
      "m.json");
  EXPECT_EQ(yaml, json);
  EXPECT_EQ(yaml.dump(), json.dump());  // key order kept
}

TEST(Yaml, PositionsOfPointers) {
  SourcePositions at;
  parse_yaml("name: x\nservices:\n  api:\n    replicas: 0\n", "m.yaml", &at);
  EXPECT_EQ(at.find("/services/api/replicas"), std::make_pair(std::size_t{4}, std::size_t{15}));
  // A missing key is placed at its object.
  EXPECT_EQ(at.find("/services/api/endpoints"), std::make_pair(std::size_t{4}, std::size_t{5}));
  const ModelError located =
      locate(ModelError("/services/api/replicas", "expected an integer >= 1, found 0"), at);
  EXPECT_STREQ(located.what(),
               "/services/api/replicas: expected an integer >= 1, found 0 (m.yaml: line 4, "
               "column 15)");
}

TEST(Yaml, JsonMessagesAreUnchanged) {
  const ModelError e("/a", "expected x, found y");
  EXPECT_STREQ(locate(e, SourcePositions{}).what(), "/a: expected x, found y");
}

TEST(Yaml, SyntaxErrorNamesLineAndColumn) {
  EXPECT_EQ(message_of("a: [1, 2\nb: 3\n").rfind("m.yaml: invalid YAML at line ", 0), 0u)
      << message_of("a: [1, 2\nb: 3\n");
  EXPECT_EQ(message_of("a: 1\n  b: 2\n"),
            "m.yaml: invalid YAML at line 2, column 4: illegal map value");
}

TEST(Yaml, DuplicateKeyRefused) {
  EXPECT_EQ(message_of("services:\n  api: {}\n  api: {}\n"),
            "/services/api: duplicate key; expected each key once in an object (m.yaml: line 3, "
            "column 3)");
}

TEST(Yaml, NonFiniteNumbersRefused) {
  EXPECT_EQ(message_of("a: .inf\n"),
            "m.yaml: invalid YAML at line 1, column 4: expected a finite number, found .inf");
  EXPECT_EQ(message_of("a: [1, .nan]\n"),
            "m.yaml: invalid YAML at line 1, column 8: expected a finite number, found .nan");
  EXPECT_EQ(message_of("a: 1e999\n"),
            "m.yaml: invalid YAML at line 1, column 4: expected a number between -1.8e308 and "
            "1.8e308, found 1e999");
}

TEST(Yaml, AliasBombRefused) {
  // "Billion laughs": 10^9 values from ten lines.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    const char prev = static_cast<char>(c - 1);
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
  }
  const std::string m = message_of(bomb);
  EXPECT_NE(m.find("expected at most " + std::to_string(bomb.size() + 100000) +
                   " values with aliases expanded (the file's bytes plus 100000), found more"),
            std::string::npos)
      << m;
  // A few aliases are fine.
  const Json ok = parse_yaml("base: &b {dist: exponential, mean: 100ms}\nx: *b\ny: *b\n", "m.yaml");
  EXPECT_EQ(ok["y"]["mean"], "100ms");
}

TEST(Yaml, DeepNestingRefused) {
  std::string deep(300, '[');
  deep += std::string(300, ']');
  EXPECT_NE(message_of("a: " + deep + "\n").find("levels of nested"), std::string::npos);
}

TEST(Yaml, OneDocumentAndKnownTagsOnly) {
  EXPECT_EQ(message_of("a: 1\n---\nb: 2\n").find("expected one document, found 2"),
            message_of("a: 1\n---\nb: 2\n").find("expected one document"));
  EXPECT_NE(message_of("a: 1\n---\nb: 2\n").find("expected one document, found 2"),
            std::string::npos);
  EXPECT_NE(message_of("a: !custom 1\n").find("found !custom"), std::string::npos);
  EXPECT_EQ(message_of(""), "m.yaml: expected a YAML document, found nothing");
  EXPECT_NE(message_of("? [a]\n: 1\n").find("expected a key that is a plain text"),
            std::string::npos);
}

TEST(Yaml, StreamOfDocuments) {
  const auto docs = parse_yaml_stream("kind: A\n---\n---\nkind: B\n", "k.yaml");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1]["kind"], "B");
}

TEST(Yaml, FormatByExtensionThenContent) {
  EXPECT_EQ(document_format("m.yaml", "{}"), DocumentFormat::yaml);
  EXPECT_EQ(document_format("m.yml", "{}"), DocumentFormat::yaml);
  EXPECT_EQ(document_format("m.json", "a: 1"), DocumentFormat::json);
  EXPECT_EQ(document_format("/dev/fd/63", "  {\"a\": 1}"), DocumentFormat::json);
  EXPECT_EQ(document_format("/dev/fd/63", "// c\n{}"), DocumentFormat::json);
  EXPECT_EQ(document_format("/dev/fd/63", "name: x\n"), DocumentFormat::yaml);
}

TEST(Yaml, TextThatIsNotUtf8IsRefusedWithItsPlace) {
  // yaml-cpp passed the byte through; every JSON writer then refused it after the run (exit 1).
  EXPECT_EQ(message_of("name: \"j\xE9\"\n"),
            "m.yaml: invalid YAML at line 1, column 7: expected UTF-8 text, found \"j<0xE9>\"");
  EXPECT_EQ(message_of("caf\xC3: 1\n"),
            "m.yaml: invalid YAML at line 1, column 1: expected UTF-8 text, found \"caf<0xC3>\"");
  // An encoded surrogate (ED A0 80) is not UTF-8 either; a real two-byte letter is.
  EXPECT_NE(message_of("a: \"\xED\xA0\x80\"\n").find("expected UTF-8 text"), std::string::npos);
  EXPECT_EQ(parse_yaml("a: caf\xC3\xA9\n", "m.yaml")["a"], "caf\xC3\xA9");
}

TEST(Yaml, NestingBeyondYamlCppsOwnLimitSaysWhatItIs) {
  // yaml-cpp stops at about 2,000 levels with the message "bad file".
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "- ";
  deep += "1\n";
  const std::string m = message_of(deep);
  EXPECT_EQ(m.rfind("m.yaml: invalid YAML at line 1, column ", 0), 0u) << m;
  EXPECT_NE(m.find(": expected at most 256 levels of nested sequences and mappings, found more"),
            std::string::npos)
      << m;
}

TEST(Yaml, AMergeKeyIsRefusedWhereItIs) {
  EXPECT_EQ(message_of("base: &b {cores: 2}\napi:\n  <<: *b\n  replicas: 3\n"),
            "m.yaml: invalid YAML at line 3, column 3: expected no merge key (<<): YAML merge "
            "keys are not supported; repeat the keys, or alias the whole mapping");
}

TEST(Yaml, AnOverrideThatIsNotUtf8IsRefused) {
  Json doc = Json::parse(R"({"a": "x"})");
  try {
    apply_override(doc, "/a=j\xE9");
    FAIL() << "accepted";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(), "/a: expected UTF-8 text, found \"j<0xE9>\"");
  }
}

}  // namespace
}  // namespace capsim::model
