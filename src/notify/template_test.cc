#include "notify/template.h"

#include <fstream>

#include <gtest/gtest.h>

#include "notify/smtp_sink_for_test.h"

namespace notify {
namespace {

using nlohmann::json;

std::string Render(std::string_view text, const json& data, Template::Escape escape = Template::Escape::kNone) {
  auto t = Template::Parse(text, escape);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? t->Render(data) : "";
}

std::string RenderHtml(std::string_view text, const json& data) {
  return Render(text, data, Template::Escape::kHtml);
}

TEST(TemplateTest, ReplacesNamesAndDottedPaths) {
  json data = {{"name", "Ada"}, {"order", {{"id", "o-1"}, {"total", 1250}}}};
  EXPECT_EQ(Render("Hi {{name}}, order {{ order.id }} costs {{order.total}}.", data),
            "Hi Ada, order o-1 costs 1250.");
}

TEST(TemplateTest, HtmlTemplatesEscapeValuesUnlessTripleBraced) {
  json data = {{"name", "<script>alert('x')</script> & \"co\""}};
  EXPECT_EQ(RenderHtml("<p>{{name}}</p>", data),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;</p>");
  EXPECT_EQ(RenderHtml("{{{name}}}|{{& name}}", {{"name", "<b>"}}), "<b>|<b>");
  EXPECT_EQ(Render("{{name}}", {{"name", "<b>"}}), "<b>") << "plain text is never escaped";
}

TEST(TemplateTest, MissingValuesRenderEmpty) {
  EXPECT_EQ(Render("[{{nope}}][{{a.b.c}}][{{{raw}}}]", {{"a", {{"x", 1}}}}), "[][][]");
}

TEST(TemplateTest, SectionsRepeatOverListsWithTheElementAsContext) {
  json data = {{"currency", "EUR"},
               {"items", {{{"name", "Tea"}, {"qty", 2}}, {{"name", "Cup"}, {"qty", 1}}}}};
  EXPECT_EQ(Render("{{#items}}{{qty}}x {{name}} ({{currency}});{{/items}}", data),
            "2x Tea (EUR);1x Cup (EUR);")
      << "outer names stay visible inside a section";
  EXPECT_EQ(Render("{{#tags}}<{{.}}>{{/tags}}", {{"tags", {"a", "b"}}}), "<a><b>");
}

TEST(TemplateTest, SectionsOnObjectsAndScalarsRenderOnceAndSkipFalsyValues) {
  json data = {{"address", {{"city", "Oslo"}}}, {"flag", true}, {"empty", ""}, {"none", nullptr},
               {"list", json::array()}, {"no", false}};
  EXPECT_EQ(Render("{{#address}}in {{city}}{{/address}}", data), "in Oslo");
  EXPECT_EQ(Render("{{#flag}}yes{{/flag}}", data), "yes");
  EXPECT_EQ(Render("{{#empty}}x{{/empty}}{{#none}}x{{/none}}{{#list}}x{{/list}}{{#no}}x{{/no}}{{#missing}}x{{/missing}}",
                   data),
            "");
}

TEST(TemplateTest, InvertedSectionsRenderForFalsyValuesOnly) {
  json data = {{"items", json::array()}, {"name", "Ada"}};
  EXPECT_EQ(Render("{{^items}}no items{{/items}}{{^name}}anonymous{{/name}}", data), "no items");
}

TEST(TemplateTest, StandaloneTagLinesDisappear) {
  std::string text =
      "Items:\n"
      "{{#items}}\n"
      "  - {{.}}\n"
      "  {{/items}}\n"
      "{{! a comment }}\n"
      "Done {{#x}}inline{{/x}}\n";
  EXPECT_EQ(Render(text, {{"items", {"a", "b"}}, {"x", true}}), "Items:\n  - a\n  - b\nDone inline\n");
}

TEST(TemplateTest, ParseErrorsNameTheLine) {
  auto unclosed = Template::Parse("line\n{{#items}}\nno end", Template::Escape::kNone, "t.txt");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_NE(unclosed.status().message().find("t.txt:2"), std::string::npos) << unclosed.status().ToString();
  auto mismatched = Template::Parse("{{#a}}{{/b}}", Template::Escape::kNone);
  EXPECT_TRUE(mismatched.status().IsInvalidArgument());
  auto open_tag = Template::Parse("a {{name", Template::Escape::kNone);
  EXPECT_TRUE(open_tag.status().IsInvalidArgument());
  auto stray = Template::Parse("{{/a}}", Template::Escape::kNone);
  EXPECT_TRUE(stray.status().IsInvalidArgument());
}

TEST(FormatMoneyTest, UsesTheCurrencysDecimalsAndSymbol) {
  EXPECT_EQ(FormatMoney(123450, "EUR"), "€1,234.50");
  EXPECT_EQ(FormatMoney(5, "USD"), "$0.05");
  EXPECT_EQ(FormatMoney(-500, "USD"), "-$5.00");
  EXPECT_EQ(FormatMoney(1999, "CHF"), "CHF 19.99");
  EXPECT_EQ(FormatMoney(1500, "JPY"), "¥1,500");
  EXPECT_EQ(FormatMoney(1234567, "KWD"), "KWD 1,234.567");
  EXPECT_EQ(FormatMoney(0, "GBP"), "£0.00");
}

TEST(FormatEmailTimeTest, IsReadableUtc) {
  EXPECT_EQ(FormatEmailTime(1'795'636'334'000), "25 Nov 2026, 19:52 UTC");
  EXPECT_EQ(FormatEmailTime(0), "1 Jan 1970, 00:00 UTC");
}

// Data shaped as README.md documents it.
json OrderData() {
  return {
      {"shopName", "Rivulet Shop"},
      {"shopUrl", "http://localhost:8080"},
      {"customerName", "Zoë <Müller>"},
      {"orderId", "ord-7f3a"},
      {"orderNumber", "7F3A"},
      {"orderUrl", "http://localhost:8080/orders/ord-7f3a"},
      {"placedAt", "25 Nov 2026, 19:43 UTC"},
      {"items",
       {{{"name", "Darjeeling Tea"}, {"quantity", 2}, {"unitPrice", "€6.25"}, {"lineTotal", "€12.50"}},
        {{"name", "Stoneware Mug"}, {"quantity", 1}, {"unitPrice", "€9.90"}, {"lineTotal", "€9.90"}}}},
      {"itemCount", 3},
      {"subtotal", "€22.40"},
      {"shipping", "€0.00"},
      {"total", "€22.40"},
      {"shippingAddress",
       {{"name", "Zoë Müller"}, {"line1", "Storgata 1"}, {"city", "Oslo"}, {"postalCode", "0155"},
        {"country", "NO"}}},
      {"carrier", "PostNord"},
      {"trackingNumber", "PN123"},
      {"trackingUrl", "https://tracking.example/PN123"},
      {"cancelReason", "Cancelled at your request"},
  };
}

TEST(TemplateStoreTest, BuiltinOrderTemplatesRenderThePersonalisedOrder) {
  auto store = TemplateStore::Open({});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (std::string name : {"order_confirmed", "order_shipped", "order_delivered", "order_cancelled"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE((*store)->Has(name));
    auto email = (*store)->Render(name, OrderData());
    ASSERT_TRUE(email.ok()) << email.status().ToString();
    EXPECT_NE(email->subject.find("7F3A"), std::string::npos) << email->subject;
    EXPECT_EQ(email->subject.find('\n'), std::string::npos);
    EXPECT_EQ(email->text.find("{{"), std::string::npos);
    EXPECT_EQ(email->html.find("{{"), std::string::npos);
    EXPECT_NE(email->text.find("Zoë <Müller>"), std::string::npos);
    EXPECT_NE(email->html.find("Zoë &lt;Müller&gt;"), std::string::npos);
    EXPECT_EQ(email->html.find("<Müller>"), std::string::npos) << "customer input is escaped in HTML";
    for (const std::string& part : {email->text, email->html}) {
      EXPECT_NE(part.find("Darjeeling Tea"), std::string::npos);
      EXPECT_NE(part.find("€22.40"), std::string::npos);
      EXPECT_NE(part.find("http://localhost:8080/orders/ord-7f3a"), std::string::npos);
      EXPECT_NE(part.find("Storgata 1"), std::string::npos);
    }
  }
  auto confirmed = (*store)->Render("order_confirmed", OrderData());
  EXPECT_NE(confirmed->text.find("2 x Darjeeling Tea"), std::string::npos) << confirmed->text;
  EXPECT_NE(confirmed->text.find("€12.50"), std::string::npos);
  auto shipped = (*store)->Render("order_shipped", OrderData());
  EXPECT_NE(shipped->text.find("PN123"), std::string::npos);
  auto cancelled = (*store)->Render("order_cancelled", OrderData());
  EXPECT_NE(cancelled->text.find("Cancelled at your request"), std::string::npos);
}

TEST(TemplateStoreTest, FilesInEarlierFoldersOverrideLaterOnesAndBuiltins) {
  testing::TempDir data_dir, repo_dir;
  std::ofstream(data_dir.path() / "order_confirmed.subject") << "Data dir subject for {{customerName}}\n";
  std::ofstream(repo_dir.path() / "order_confirmed.subject") << "Repo subject\n";
  std::ofstream(repo_dir.path() / "order_confirmed.txt") << "Repo text {{total}}\n";
  std::ofstream(repo_dir.path() / "welcome.subject") << "Welcome\n";
  std::ofstream(repo_dir.path() / "welcome.txt") << "Hello {{customerName}}\n";
  std::ofstream(repo_dir.path() / "notes.md") << "not a template {{#\n";
  auto store = TemplateStore::Open({data_dir.path().string(), "/no/such/dir", repo_dir.path().string()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto email = (*store)->Render("order_confirmed", {{"customerName", "Ada"}, {"total", "€1.00"}});
  ASSERT_TRUE(email.ok());
  EXPECT_EQ(email->subject, "Data dir subject for Ada");
  EXPECT_EQ(email->text, "Repo text €1.00\n");
  EXPECT_FALSE(email->html.empty()) << "the HTML part falls back to the built-in one";
  EXPECT_EQ((*store)->sources().at("order_confirmed.html"), "builtin");
  auto welcome = (*store)->Render("welcome", {{"customerName", "Ada"}});
  ASSERT_TRUE(welcome.ok());
  EXPECT_EQ(welcome->html, "");
  EXPECT_TRUE((*store)->Render("nope", json::object()).status().IsNotFound());
}

TEST(TemplateStoreTest, ABrokenTemplateFailsOpenWithItsPath) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "order_shipped.html") << "<p>\n{{#items}}\n";
  auto store = TemplateStore::Open({dir.path().string()});
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("order_shipped.html:2"), std::string::npos) << store.status().ToString();
}

TEST(TemplateTest, PartialsRenderWithTheCurrentContext) {
  auto item = Template::Parse("<li>{{name}}</li>", Template::Escape::kHtml);
  ASSERT_TRUE(item.ok());
  auto list = Template::Parse("<ul>\n{{#items}}\n  {{> _item}}\n{{/items}}\n</ul>", Template::Escape::kHtml);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->Includes(), std::vector<std::string>{"_item"});
  Template::PartialLookup lookup = [&](std::string_view name) { return name == "_item" ? &*item : nullptr; };
  json data = {{"items", {{{"name", "Tea"}}, {{"name", "<Mug>"}}}}};
  EXPECT_EQ(list->Render(data, lookup), "<ul>\n<li>Tea</li><li>&lt;Mug&gt;</li></ul>");
  EXPECT_EQ(list->Render(data), "<ul>\n</ul>") << "without a lookup a partial renders nothing";
}

TEST(TemplateTest, LayoutBlocksReplaceTheParentsDefaultsOuterMostWins) {
  auto layout = Template::Parse("<h1>{{$title}}Untitled{{/title}}</h1>[{{$color}}blue{{/color}}|{{$color}}{{/color}}]",
                                Template::Escape::kNone);
  auto middle = Template::Parse("{{< _layout}}{{$color}}green{{/color}}{{/_layout}}", Template::Escape::kNone);
  auto page = Template::Parse(
      "{{< _middle}}\n{{$title}}Order {{number}}{{/title}}\nignored text\n{{$color}}red{{/color}}\n{{/_middle}}\n",
      Template::Escape::kNone);
  ASSERT_TRUE(layout.ok() && middle.ok() && page.ok());
  Template::PartialLookup lookup = [&](std::string_view name) -> const Template* {
    return name == "_layout" ? &*layout : name == "_middle" ? &*middle : nullptr;
  };
  EXPECT_EQ(middle->Render({}, lookup), "<h1>Untitled</h1>[green|green]");
  EXPECT_EQ(page->Render({{"number", 7}}, lookup), "<h1>Order 7</h1>[red|red]");
}

TEST(TemplateTest, TemplatesIncludingEachOtherStopAtADepthLimit) {
  auto loop = Template::Parse("x{{> _loop}}", Template::Escape::kNone);
  ASSERT_TRUE(loop.ok());
  Template::PartialLookup lookup = [&](std::string_view) -> const Template* { return &*loop; };
  EXPECT_EQ(loop->Render({}, lookup), std::string(17, 'x'));
}

TEST(TemplateStoreTest, BuiltinHtmlEmailsShareOneLayout) {
  auto store = TemplateStore::Open({});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->sources().at("_layout.html"), "builtin");
  auto shipped = (*store)->Render("order_shipped", OrderData());
  ASSERT_TRUE(shipped.ok());
  EXPECT_NE(shipped->html.find("<title>Your Rivulet Shop order 7F3A has shipped</title>"), std::string::npos);
  EXPECT_NE(shipped->html.find("#7c3aed"), std::string::npos);
  EXPECT_EQ(shipped->html.find("#2563eb"), std::string::npos) << "the block replaced the layout's default colour";
  EXPECT_NE(shipped->html.find("Tracking number (PostNord)"), std::string::npos);
  EXPECT_NE(shipped->html.find("</html>"), std::string::npos);
}

TEST(TemplateStoreTest, AnOverriddenLayoutChangesEveryEmailAndAMissingOneFailsOpen) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "_layout.html") << "<main>{{$heading}}{{/heading}}</main>\n";
  auto store = TemplateStore::Open({dir.path().string()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Render("order_delivered", OrderData())->html, "<main>Your order has arrived</main>\n");

  testing::TempDir broken;
  std::ofstream(broken.path() / "order_confirmed.html") << "{{> _footer}}\n";
  auto failed = TemplateStore::Open({broken.path().string()});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("_footer.html"), std::string::npos) << failed.status().ToString();
}

}  // namespace
}  // namespace notify
