#include "table/expression.h"

#include <gtest/gtest.h>

namespace table::expr {
namespace {

AttributeValue S(const char* s) { return AttributeValue::S(s); }
AttributeValue N(const char* n) { return AttributeValue::N(n); }

class ExpressionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    item_ = {
        {"id", S("o-1")},
        {"qty", N("5")},
        {"status", S("NEW")},
        {"tags", AttributeValue::SS({"red", "big"})},
        {"entries", AttributeValue::L({AttributeValue::M({{"sku", S("a")}, {"n", N("2")}}),
                                     AttributeValue::M({{"sku", S("b")}, {"n", N("3")}})})},
        {"addr", AttributeValue::M({{"city", S("Oslo")}})},
    };
    values_ = {{":five", N("5")}, {":one", N("1")}, {":new", S("NEW")}, {":o", S("o-")},
               {":red", S("red")}, {":ten", N("10")}, {":S", S("S")}, {":l", AttributeValue::L({N("9")})}};
    names_ = {{"#s", "status"}};
  }

  // Evaluates a condition; parse errors come back as the error text.
  std::string Eval(const std::string& text) {
    Placeholders p(&names_, &values_);
    auto c = ParseCondition(text, "ConditionExpression", &p);
    if (!c.ok()) return c.status().message();
    auto r = Evaluate(*c, item_);
    if (!r.ok()) return r.status().message();
    return *r ? "true" : "false";
  }

  // Applies an update to item_; returns "" or the error text.
  std::string Update(const std::string& text) {
    Placeholders p(&names_, &values_);
    auto actions = ParseUpdate(text, &p);
    if (!actions.ok()) return actions.status().message();
    Status s = ApplyUpdate(*actions, &item_);
    return s.ok() ? "" : s.message();
  }

  Item item_;
  std::map<std::string, AttributeValue> values_;
  std::map<std::string, std::string> names_;
};

TEST_F(ExpressionTest, ComparisonsAndLogic) {
  EXPECT_EQ(Eval("qty = :five"), "true");
  EXPECT_EQ(Eval("qty <> :five"), "false");
  EXPECT_EQ(Eval("qty >= :one AND qty < :ten"), "true");
  EXPECT_EQ(Eval("qty > :ten OR #s = :new"), "true");
  EXPECT_EQ(Eval("NOT (qty > :one)"), "false");
  EXPECT_EQ(Eval("qty BETWEEN :one AND :ten"), "true");
  EXPECT_EQ(Eval("qty IN (:one, :ten)"), "false");
  EXPECT_EQ(Eval("qty IN (:one, :five)"), "true");
  // Different types never compare equal or ordered.
  EXPECT_EQ(Eval("qty = :new"), "false");
  EXPECT_EQ(Eval("qty < :new"), "false");
  // An absent attribute is unequal to anything.
  EXPECT_EQ(Eval("absent <> :one"), "true");
  EXPECT_EQ(Eval("absent = :one"), "false");
}

TEST_F(ExpressionTest, Functions) {
  EXPECT_EQ(Eval("attribute_exists(id)"), "true");
  EXPECT_EQ(Eval("attribute_not_exists(id)"), "false");
  EXPECT_EQ(Eval("attribute_exists(addr.city)"), "true");
  EXPECT_EQ(Eval("attribute_exists(entries[1].sku)"), "true");
  EXPECT_EQ(Eval("attribute_exists(entries[2])"), "false");
  EXPECT_EQ(Eval("attribute_type(id, :S)"), "true");
  EXPECT_EQ(Eval("begins_with(id, :o)"), "true");
  EXPECT_EQ(Eval("contains(tags, :red)"), "true");
  EXPECT_EQ(Eval("size(entries) = :one"), "false");
  EXPECT_EQ(Eval("size(id) > :one"), "true");
}

TEST_F(ExpressionTest, SyntaxErrorsUseDynamoDbWording) {
  EXPECT_EQ(Eval("qty = "), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"qty = \"");
  EXPECT_EQ(Eval("status = :new"), "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
  EXPECT_EQ(Eval("qty = :nope"), "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope");
  EXPECT_EQ(Eval("#nope = :one"), "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #nope");
  EXPECT_EQ(Eval("frobnicate(id)"), "Invalid ConditionExpression: Invalid function name; function: frobnicate");
  EXPECT_NE(Eval("attribute_type(id, :new)").find("Invalid attribute type name"), std::string::npos);
  EXPECT_NE(Eval("qty = :one )").find("Syntax error"), std::string::npos);
  EXPECT_NE(Eval("").find("can not be empty"), std::string::npos);
}

TEST_F(ExpressionTest, UnusedPlaceholdersAreReported) {
  std::map<std::string, AttributeValue> values = {{":a", N("1")}, {":b", N("2")}};
  Placeholders p(nullptr, &values);
  ASSERT_TRUE(ParseCondition("x = :a", "ConditionExpression", &p).ok());
  EXPECT_EQ(p.CheckAllUsed().message(), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}");
}

TEST_F(ExpressionTest, SetWithArithmeticIfNotExistsAndListAppend) {
  ASSERT_EQ(Update("SET qty = qty - :one, grand = if_not_exists(grand, :ten) + :five, entries = list_append(entries, :l)"), "");
  EXPECT_EQ(item_["qty"], N("4"));
  EXPECT_EQ(item_["grand"], N("15"));
  EXPECT_EQ(item_["entries"].list().size(), 3u);
}

TEST_F(ExpressionTest, SetNestedPaths) {
  ASSERT_EQ(Update("SET addr.zip = :five, entries[0].n = :ten, entries[9] = :one"), "");
  EXPECT_EQ(item_["addr"].map().at("zip"), N("5"));
  EXPECT_EQ(item_["entries"].list()[0].map().at("n"), N("10"));
  EXPECT_EQ(item_["entries"].list().size(), 3u);  // past the end appends
  EXPECT_NE(Update("SET nope.x = :one").find("document path provided in the update expression is invalid"), std::string::npos);
}

TEST_F(ExpressionTest, OperandsSeeTheItemBeforeTheUpdate) {
  ASSERT_EQ(Update("SET a = qty, qty = :ten"), "");
  EXPECT_EQ(item_["a"], N("5"));
  EXPECT_EQ(item_["qty"], N("10"));
}

TEST_F(ExpressionTest, RemoveAddDelete) {
  ASSERT_EQ(Update("REMOVE addr.city, entries[0] ADD qty :one, tags :l2 DELETE tags :rs"), "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :l2");
  values_[":more"] = AttributeValue::SS({"x"});
  values_[":rs"] = AttributeValue::SS({"red"});
  ASSERT_EQ(Update("REMOVE addr.city, entries[0] ADD qty :one, hits :five DELETE tags :rs"), "");
  EXPECT_TRUE(item_["addr"].map().empty());
  EXPECT_EQ(item_["entries"].list().size(), 1u);
  EXPECT_EQ(item_["qty"], N("6"));
  EXPECT_EQ(item_["hits"], N("5"));
  EXPECT_EQ(item_["tags"], AttributeValue::SS({"big"}));
  ASSERT_EQ(Update("ADD tags :more"), "");
  EXPECT_EQ(item_["tags"], AttributeValue::SS({"big", "x"}));
  values_[":big"] = AttributeValue::SS({"big", "x"});
  ASSERT_EQ(Update("DELETE tags :big"), "");
  EXPECT_EQ(item_.count("tags"), 0u);  // an emptied set disappears
}

TEST_F(ExpressionTest, UpdateTypeErrors) {
  EXPECT_NE(Update("SET qty = id + :one").find("Incorrect operand type for operator or function; operator or function: +, operand type: S"), std::string::npos);
  EXPECT_NE(Update("ADD id :one").find("operator or function: ADD"), std::string::npos);
  EXPECT_NE(Update("SET x = nothere + :one").find("does not exist in the item"), std::string::npos);
}

TEST_F(ExpressionTest, UpdateSyntaxRules) {
  EXPECT_NE(Update("SET a = :one SET b = :one").find("\"SET\" section can only be used once"), std::string::npos);
  EXPECT_NE(Update("SET a = :one REMOVE a").find("Two document paths conflict"), std::string::npos);
  EXPECT_NE(Update("SET a.b = :one REMOVE a").find("Two document paths overlap"), std::string::npos);
  EXPECT_NE(Update("SET #s = :new, status = :new").find("reserved keyword: status"), std::string::npos);
  EXPECT_NE(Update("FROB a").find("Syntax error"), std::string::npos);
}

TEST_F(ExpressionTest, ProjectionKeepsOnlyNamedPaths) {
  Placeholders p(&names_, &values_);
  auto paths = ParseProjection("id, #s, addr.city, entries[1].sku, nothere", &p);
  ASSERT_TRUE(paths.ok());
  Item out = Project(item_, *paths);
  EXPECT_EQ(out.size(), 4u);
  EXPECT_EQ(out["status"], S("NEW"));
  EXPECT_EQ(out["addr"].map().at("city"), S("Oslo"));
  ASSERT_EQ(out["entries"].list().size(), 1u);
  EXPECT_EQ(out["entries"].list()[0].map().at("sku"), S("b"));
}

}  // namespace
// Expressions are kept parsed per thread, by text and names; the same text
// with other values, other names or a value missing must behave as a fresh
// parse would.
TEST_F(ExpressionTest, ACachedParseTakesEachRequestsValuesAndNames) {
  EXPECT_EQ(Eval("qty = :v AND #s = :w"), "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v");
  values_[":v"] = N("5");
  values_[":w"] = S("NEW");
  EXPECT_EQ(Eval("qty = :v AND #s = :w"), "true");
  values_[":v"] = N("6");
  EXPECT_EQ(Eval("qty = :v AND #s = :w"), "false");
  values_[":v"] = N("5");
  names_["#s"] = "id";  // same text, another name: parsed again
  EXPECT_EQ(Eval("qty = :v AND #s = :w"), "false");
  names_["#s"] = "status";
  values_.erase(":w");
  EXPECT_EQ(Eval("qty = :v AND #s = :w"), "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :w");

  // Values the parse checks are checked again when bound.
  values_[":t"] = S("N");
  EXPECT_EQ(Eval("attribute_type(qty, :t)"), "true");
  values_[":t"] = S("X");
  EXPECT_NE(Eval("attribute_type(qty, :t)").find("Invalid attribute type name found; type: X"), std::string::npos);

  // Which placeholders the cached expression used still counts.
  Placeholders p(&names_, &values_);
  ASSERT_TRUE(ParseCondition("qty = :v", "ConditionExpression", &p).ok());
  EXPECT_FALSE(p.CheckAllUsed().ok());  // #s and the other values are unused
  std::map<std::string, AttributeValue> only_v = {{":v", N("1")}};
  std::map<std::string, std::string> only_s = {{"#s", "status"}};
  Placeholders q(&only_s, &only_v);
  ASSERT_TRUE(ParseCondition("#s = :v", "ConditionExpression", &q).ok());
  ASSERT_TRUE(ParseCondition("#s = :v", "ConditionExpression", &q).ok());
  EXPECT_TRUE(q.CheckAllUsed().ok());

  // Updates too: the second SET adds the new value.
  values_[":add"] = N("2");
  EXPECT_EQ(Update("SET qty = qty + :add"), "");
  values_[":add"] = N("10");
  EXPECT_EQ(Update("SET qty = qty + :add"), "");
  EXPECT_EQ(item_.at("qty"), N("17"));
  EXPECT_EQ(Update("SET tags = list_append(if_not_exists(nothing, :l), :l)"), "");
  values_[":l"] = AttributeValue::L({N("1"), N("2")});
  EXPECT_EQ(Update("SET tags = list_append(if_not_exists(nothing, :l), :l)"), "");
  EXPECT_EQ(item_.at("tags").list().size(), 4u);
}

}  // namespace table::expr
