// The mapping language over arrays and objects: literals, membership, lambdas and the functions
// over collections, with their scoping and error messages.
#include <catch2/catch.hpp>

#include "etl/json.hpp"
#include "etl/mapping/expr.hpp"
#include "expression_runner.hpp"

using namespace etl::mapping;

namespace {

// A Magento 2 order (GET /V1/orders/{id}), cut down: a bundle item with its child, and custom
// attributes as the catalog API writes them.
const char* kOrder = R"({"increment_id":"000000012","status":"processing","qty":3,
  "items":[{"item_id":1,"sku":"B-1","qty_ordered":1,"row_total":"10.50","parent_item_id":null},
           {"item_id":2,"sku":"B-1-a","qty_ordered":2,"row_total":"0.00","parent_item_id":1},
           {"item_id":3,"sku":"C-9","qty_ordered":3,"row_total":"4.25","parent_item_id":null}],
  "custom_attributes":[{"attribute_code":"color","value":"red"},{"attribute_code":"size","value":"L"}],
  "tags":["a","b","a"],"nums":[3,1,2]})";

using Result = etl::test::ExprResult;

Result run(const std::string& expr) {
  return etl::test::run_expression(expr, kOrder, CompileContext{});
}

std::string value(const std::string& expr) {
  Result r = run(expr);
  INFO(expr << " → " << r.error << r.compile);
  CHECK(r.error.empty());
  CHECK(r.compile.empty());
  return r.value;
}

}  // namespace

TEST_CASE("object and array literals build nested values", "[collections]") {
  CHECK(value("[1, 'a', null, qty]") == R"([1,"a",null,3])");
  CHECK(value("[]") == "[]");
  CHECK(value("{}") == "{}");
  CHECK(value("{sku: items[0].sku, 'odd key': 1, \"q\": {n: [qty]}}") ==
        R"({"sku":"B-1","odd key":1,"q":{"n":[3]}})");
  CHECK(value("{a: qty > 2 ? 'big' : 'small'}") == R"({"a":"big"})");
  CHECK(value("{a: [1, 2]}.a[1]") == "2");
  CHECK(run("{a: 1, a: 2}").compile == "m.json:1:8: error: member 'a' twice in one object\n");
  CHECK(run("[1, 2").compile ==
        "m.json:1:6: error: expected ',' or ']', found the end of the expression\n");
  CHECK(run("{1: 2}").compile == "m.json:1:2: error: expected a member name, found a number\n");
}

TEST_CASE("in and not in test membership", "[collections]") {
  CHECK(value("status in ['paid', 'processing']") == "true");
  CHECK(value("status not in ['paid', 'processing']") == "false");
  CHECK(value("'c' in tags") == "false");
  CHECK(value("qty in nums") == "true");
  CHECK(value("'x' in missing") == "null");
  CHECK(value("not (status in ['paid'])") == "true");
  CHECK(run("qty in 5").error == "the right side of in must be an array, got number 5");
}

TEST_CASE("functions over arrays take lambdas", "[collections]") {
  CHECK(value("map(filter(items, i -> i.parent_item_id == null), i -> i.sku)") ==
        R"(["B-1","C-9"])");
  CHECK(value("map(items, i -> {sku: i.sku, qty: i.qty_ordered})") ==
        R"([{"sku":"B-1","qty":1},{"sku":"B-1-a","qty":2},{"sku":"C-9","qty":3}])");
  CHECK(value("find(custom_attributes, a -> a.attribute_code == 'color').value") == "\"red\"");
  CHECK(value("find(custom_attributes, a -> a.attribute_code == 'weight')") == "null");
  CHECK(value("any(items, i -> i.qty_ordered > 2)") == "true");
  CHECK(value("all(items, i -> i.qty_ordered > 1)") == "false");
  CHECK(value("any([], i -> i)") == "false");
  CHECK(value("all([], i -> i)") == "true");
  CHECK(value("sum(items, i -> decimal(i.row_total))") == "14.75");  // exact
  CHECK(value("sum(nums)") == "6");
  CHECK(value("sum([0.1, 0.2, null])") == "0.3");
  CHECK(value("map(sort_by(items, i -> -i.qty_ordered), i -> i.item_id)") == "[3,2,1]");
  CHECK(value("sort_by([{k: 2}, {k: null}, {k: 1}], x -> x.k)") ==
        R"([{"k":null},{"k":1},{"k":2}])");
  CHECK(value("map(missing, i -> i)") == "null");
}

TEST_CASE("a filter inside another function over arrays gives the same results", "[collections]") {
  // These run as one pass (the filter's elements are not copied into an array first).
  CHECK(value("sum(filter(nums, n -> n > 1))") == "5");
  CHECK(value("sum(filter(items, i -> i.parent_item_id == null), i -> decimal(i.row_total))") ==
        "14.75");
  CHECK(value("find(filter(items, i -> i.qty_ordered > 1), i -> i.parent_item_id == null).sku") ==
        "\"C-9\"");
  CHECK(value("any(filter(nums, n -> n > 2), n -> n == 1)") == "false");
  CHECK(value("all(filter(nums, n -> n > 5), n -> n == 1)") == "true");
  CHECK(value("filter(filter(nums, n -> n > 1), n -> n < 3)") == "[2]");
  CHECK(value("sort_by(filter(nums, n -> n > 1), n -> -n)") == "[3,2]");
  CHECK(run("map(filter(items, i -> i.sku), i -> i)").error ==
        "filter()'s condition must be true or false, got string 'B-1'");
  CHECK(run("map(filter(qty, i -> i), i -> i)").error ==
        "filter(): argument 1 must be an array, got number 3");
}

TEST_CASE("lambdas see the record and the names around them", "[collections]") {
  // The record's fields, an enclosing lambda's name, and an inner name shadowing an outer one.
  CHECK(value("map(nums, n -> n * qty)") == "[9,3,6]");
  CHECK(
      value(
          "map(items, i -> map(filter(items, j -> j.parent_item_id == i.item_id), j -> j.sku))") ==
      R"([["B-1-a"],[],[]])");
  CHECK(value("map(nums, x -> map([10], x -> x))") == "[[10],[10],[10]]");
  // Outside its lambda the name is a field again.
  CHECK(value("[map(nums, qty -> qty), qty]") == "[[3,1,2],3]");
}

TEST_CASE("errors over arrays name the function and the element", "[collections]") {
  CHECK(run("map(items, 5)").compile ==
        "m.json:1:1: error: map() takes an array and a lambda: map(items, i -> i.sku)\n");
  CHECK(run("filter(i -> i, items)").compile ==
        "m.json:1:1: error: filter() takes an array and a lambda: filter(items, i -> i.qty > 0)\n");
  CHECK(run("upper(x -> x)").compile ==
        "m.json:1:1: error: upper() takes no lambda (x -> …): only filter, map, find, any, all, "
        "sum and sort_by do\n");
  CHECK(run("sum(items, i -> i.row_total)").error ==
        "sum(): element 0 gives string '10.50', not a number (convert with decimal() or int())");
  CHECK(run("filter(items, i -> i.sku)").error ==
        "filter()'s condition must be true or false, got string 'B-1'");
  CHECK(run("map(qty, i -> i)").error == "map(): argument 1 must be an array, got number 3");
  CHECK(run("sort_by(items, i -> i.item_id == 1 ? 'a' : 1)").error.find("cannot compare") == 0);
}

TEST_CASE("functions over collections without lambdas", "[collections]") {
  CHECK(value("first(items).sku") == "\"B-1\"");
  CHECK(value("last(items).sku") == "\"C-9\"");
  CHECK(value("first([])") == "null");
  CHECK(value("distinct(tags)") == R"(["a","b"])");
  CHECK(value("flatten([[1, 2], 3, [[4]]])") == "[1,2,3,[4]]");
  CHECK(value("keys({b: 1, a: 2})") == R"(["b","a"])");
  CHECK(value("values({b: 1, a: 2})") == "[1,2]");
  CHECK(value("get(items[0], 'sku')") == "\"B-1\"");
  CHECK(value("get(items[0], 'nope', 'default')") == "\"default\"");
  CHECK(value("merge({a: 1, b: 2}, {b: 3, c: 4}, null)") == R"({"a":1,"b":3,"c":4})");
  CHECK(value("pick(items[0], ['sku', 'item_id'])") == R"({"item_id":1,"sku":"B-1"})");
  CHECK(value("omit(items[0], ['row_total', 'parent_item_id', 'qty_ordered'])") ==
        R"({"item_id":1,"sku":"B-1"})");
  CHECK(value("from_entries(custom_attributes, 'attribute_code')") ==
        R"({"color":"red","size":"L"})");
  CHECK(value("from_entries([['a', 1], {name: 'b', value: 2}, {key: 'c'}])") ==
        R"({"a":1,"b":2,"c":null})");
  CHECK(value("to_entries({a: 1})") == R"([{"key":"a","value":1}])");
  CHECK(value("to_entries(['x', 'y'])") == R"([{"key":0,"value":"x"},{"key":1,"value":"y"}])");
  CHECK(value("map(to_entries(['x', 'y']), e -> e.key + 1)") == "[1,2]");
  CHECK(run("from_entries([['a', 1], ['a', 2]])").error ==
        "from_entries(): the key 'a' comes twice");
  CHECK(run("from_entries([{v: 1}])").error ==
        "from_entries(): element 0 has no \"key\" or \"name\" string to name its member");
  CHECK(run("keys(tags)").error ==
        "keys(): argument 1 must be an object, got array [\"a\",\"b\",\"a\"]");
}
