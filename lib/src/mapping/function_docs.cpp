// The function library's reference, one entry per row of docs/mapping.md's function tables:
// the call, an example and its result. The docs' tables are these rows (a test compares them),
// `etl-transform --list-functions` prints them, and the examples are evaluated by a test.
#include "etl/mapping/function_docs.hpp"

namespace etl::mapping {
namespace {

constexpr FunctionDoc kDocs[] = {
    // strings
    {"strings", R"(`trim(s)`, `ltrim(s)`, `rtrim(s)`)", R"(`trim(' a ')`)", R"(`'a'`)"},
    {"strings", R"(`lower(s)`, `upper(s)`)", R"(`upper('grüße')`)",
     R"(`'GRÜßE'` (Unicode simple case mapping))"},
    {"strings", R"(`lpad(s, width, fill=' ')`, `rpad(…)`)", R"(`lpad('7', 4, '0')`)",
     R"(`'0007'`; a longer string is kept whole, never cut (`lpad('12345', 3, '0')` is `'12345'`))"},
    {"strings", R"(`substr(s, start, length?)`)", R"(`substr('Grüße', 2, 2)`, `substr('abc', -2)`)",
     R"(`'üß'`, `'bc'`)"},
    {"strings", R"(`split(s, sep)`)", R"(`split('a,b', ',')[1]`)", R"(`'b'`)"},
    {"strings", R"(`join(array, sep)`)", R"(`join(tags, '\|')`)", R"(nulls are skipped)"},
    {"strings", R"(`replace(s, from, to)`)", R"(`replace('a-b', '-', '+')`)", R"(`'a+b'`)"},
    {"strings", R"(`concat(x, …)`)", R"(`concat('n=', 3, null)`)",
     R"(`'n=3'` (numbers and booleans as text, null as empty))"},
    {"strings", R"(`length(x)`)", R"(`length('Grüße')`, `length(items)`)", R"(`5`, element count)"},
    {"strings", R"(`contains(s, t)`, `starts_with(s, t)`, `ends_with(s, t)`)",
     R"(`contains(email, '@')`)", R"(boolean)"},
    {"strings", R"(`regex_match(s, re)`)", R"(`regex_match(sku, '^[A-Z]{2}-\d+$')`)",
     R"(boolean: whether the pattern matches anywhere in s (a search: anchor it with `^…$` for the whole string); RE2 syntax, the pattern is a literal compiled once)"},
    {"strings", R"(`regex_extract(s, re, group?)`)", R"(`regex_extract(email, '@(.*)$')`)",
     R"(first group (or the match), null when no match)"},
    {"strings", R"(`regex_replace(s, re, rewrite)`)", R"(`regex_replace(zip, '^0+', '')`)",
     R"(every match replaced; `\1` names groups)"},
    // numbers
    {"numbers", R"(`decimal(x, scale?)`)", R"(`decimal('19.990')`, `decimal('2.345', 2)`)",
     R"(`19.990`, `2.34` (from numbers and numeric strings only))"},
    {"numbers", R"(`parse_number(s, style)`)",
     R"(`parse_number('-1.234,50', '1.234,56')`, `parse_number('1,234.5', '1,234.56')`)",
     R"(`-1234.50`, `1234.5`; the style, '1,234.56', '1.234,56', '1 234,56', "1'234.56", '1234,56', says the marks; groups of three or none, nothing else)"},
    {"numbers", R"(`int(x)`)", R"(`int('42')`, `int(5.00)`)",
     R"(`42`, `5`; `int(2.5)` rejects (round first))"},
    {"numbers", R"(`round(x, places=0, mode='half_even')`)",
     R"(`round(2.345, 2)`, `round(2.345, 2, 'half_up')`)",
     R"(`2.34`, `2.35`; modes: half_even, half_up, half_down, down, up, floor, ceiling)"},
    {"numbers", R"(`floor(x)`, `ceil(x)`, `abs(x)`)", R"(`floor(-2.5)`)", R"(`-3`)"},
    {"numbers", R"(`min(x, …)`, `max(x, …)`)", R"(`min(3, 1.5)`)",
     R"(`1.5` (numbers, strings or times))"},
    {"numbers", R"(`sum_of(array, field, field2?)`)",
     R"(`sum_of(line_items, 'quantity', 'price')`)", R"(exact Σ of a field, or of field × field2)"},
    // casts
    {"casts", R"(`string(x)`)", R"(`string(19.90)`)", R"(`'19.90'`)"},
    {"casts", R"(`bool(x)`)", R"(`bool('yes')`, `bool('T')`)",
     R"(true/false, t/f (NetSuite), yes/no, y/n, 1/0 (any case))"},
    {"casts", R"(`int(x)`, `decimal(x)`)", R"(see above)", R"()"},
    {"casts", R"(`date(x)`)", R"(`date('2024-03-01T23:30:00-05:00')`)",
     R"(`'2024-03-01'` (the date where the time was written))"},
    {"casts", R"(`is_null(x)`)", R"(`is_null(phone)`)", R"(boolean)"},
    // times
    {"times", R"(`parse_time(s)`)",
     R"(`parse_time('2024-03-01T10:00:00+01:00')`, `parse_time('Tue, 19 Jan 2021 08:50:25 +0000')`, `parse_time('2017-05-09 6:07:35')`)",
     R"(ISO 8601 / RFC 3339 (a space for `T`, a one-digit hour, fractions, `Z`, an offset or none), else RFC 2822 / RFC 1123 (BigCommerce); a time without offset is read in the mapping's `timezone`)"},
    {"times", R"(`parse_time(s, format, zone?)`)",
     R"(`parse_time('01.03.2024 10:30', '%d.%m.%Y %H:%M')`, `parse_time(d, ['%d.%m.%Y', '%Y%m%d'])`)",
     R"(strptime-style, or a list of formats tried in order; without `%z`, in `zone` or the mapping's zone)"},
    {"times", R"(`from_epoch(n)`, `from_epoch_ms(n)`)", R"(`from_epoch(1700000000)`)",
     R"(`2023-11-14T22:13:20Z`)"},
    {"times", R"(`epoch(t)`, `epoch_ms(t)`)", R"(`epoch('1970-01-01T00:00:01Z')`)", R"(`1`)"},
    {"times", R"(`format_time(t, format)`)",
     R"(`format_time(t, '%Y-%m-%d %H:%M %Z')`, `'%H:%M:%S.%f'`)",
     R"(in the time's zone; `%S` is whole seconds, always two digits; `%f` adds the microseconds (six digits))"},
    {"times", R"(`to_zone(t, zone)`)", R"(`to_zone(created_at, 'UTC')`)",
     R"(the same instant in another IANA zone)"},
    {"times", R"(`add_days(t, n)`)", R"(`add_days(t, 1)`)",
     R"(calendar days in the time's zone: 10:00 stays 10:00 across DST)"},
    {"times", R"(`add_hours(t, n)`)", R"(`add_hours(t, 24)`)", R"(elapsed hours)"},
    {"times", R"(`diff_days(a, b)`, `diff_hours(a, b)`)", R"(`diff_days(shipped, ordered)`)",
     R"(whole days/hours from b to a, truncated)"},
    {"times", R"(`now()`)", R"(`now()`)",
     R"(the run's start, one value for every record (`--now` fixes it))"},
    // lookups
    {"lookups", R"(`lookup(name, key, default?)`)",
     R"(`lookup('uom', item.unit)`, `lookup('price', sku, currency)`)",
     R"(the table's value; on a miss (or a null key) the call's default, else the lookup's `default`, else the record is rejected; one key per key column)"},
    {"lookups", R"(`sha256(x, …)`)", R"(`sha256(order_no, line_no)`)",
     R"(hex digest of the arguments' text joined by U+001F, for surrogate keys)"},
    {"lookups", R"(`coalesce(x, …)`)", R"(`coalesce(phone, mobile, '')`)", R"(the first non-null)"},
    // collections
    {"collections", R"(`filter(items, i -> i.parent_item_id == null)`)", "",
     R"(the elements whose condition is true (null counts as false; anything but a boolean is an error))"},
    {"collections", R"(`map(items, i -> {sku: i.sku, qty: i.qty_ordered})`)", "",
     R"(the body's value for each element)"},
    {"collections", R"(`find(custom_attributes, a -> a.attribute_code == 'color')`)", "",
     R"(the first element whose condition is true, or null)"},
    {"collections", R"(`any(items, i -> i.qty > 9)`, `all(…)`)", "",
     R"(false and true for an empty array)"},
    {"collections", R"(`sum(items, i -> decimal(i.row_total))`, `sum(amounts)`)", "",
     R"(the exact sum; null values are skipped; a string is an error (convert it))"},
    {"collections", R"(`sort_by(lines, l -> l.line_no)`)", "",
     R"(a stable sort by the key; null keys first; keys that do not order against each other are an error)"},
    {"collections", R"(`first(arr)`, `last(arr)`)", "",
     R"(the element, or null for an empty array)"},
    {"collections", R"(`distinct(arr)`)", "",
     R"(the first of each group of equal elements (equal JSON), in order)"},
    {"collections", R"(`flatten(arr)`)", "",
     R"(one level: `[[1, 2], 3, [[4]]]` → `[1, 2, 3, [4]]`)"},
    {"collections", R"(`keys(o)`, `values(o)`)", "", R"(in the object's order)"},
    {"collections", R"(`get(o, 'key'[, default])`)", "", R"(the member, or the default (null))"},
    {"collections", R"(`merge(a, b, …)`)", "",
     R"(the members of each; a later value replaces an earlier one in its place; null arguments are skipped)"},
    {"collections", R"(`pick(o, ['a', 'b'])`, `omit(o, ['c'])`)", "",
     R"(the object with only those members, or without them)"},
    {"collections", R"(`from_entries(list[, key_field[, value_field]])`)", "",
     R"(name/value pairs into an object: `[k, v]` arrays or objects with `key` (or `name`) and `value`; `from_entries(custom_attributes, 'attribute_code')` reads Magento's attributes; a key twice is an error)"},
    {"collections", R"(`to_entries(o)`)", "",
     R"(`[{"key": …, "value": …}, …]`; of an array, the key is the 0-based index (as in jq), so lines can be numbered: `map(to_entries(items), e -> {line_no: e.key + 1, sku: e.value.sku})`)"},
};

// Backticks are Markdown's; a terminal shows the text between them.
std::string plain(std::string_view md) {
  std::string out;
  for (std::size_t i = 0; i < md.size(); ++i) {
    if (md[i] == '`') continue;
    if (md[i] == '\\' && i + 1 < md.size() && md[i + 1] == '|') continue;  // a table's \|
    out.push_back(md[i]);
  }
  return out;
}

}  // namespace

std::span<const FunctionDoc> function_docs() {
  return kDocs;
}

std::string function_table_markdown(std::string_view section) {
  bool collections = section == "collections";
  std::string out = collections ? "| function | result |\n|---|---|\n"
                                : "| function | example | result |\n|---|---|---|\n";
  for (const auto& d : kDocs) {
    if (d.section != section) continue;
    out += "| " + std::string(d.call) + " | ";
    if (!collections) out += std::string(d.example) + " | ";
    out += std::string(d.result) + " |\n";
  }
  return out;
}

std::string function_list_text() {
  std::string out, section;
  for (const auto& d : kDocs) {
    if (d.section != section) {
      section = d.section;
      out += (out.empty() ? "" : "\n") + section + ":\n";
    }
    out += "  " + plain(d.call) + "\n      ";
    if (!d.example.empty()) out += plain(d.example) + " → ";
    out += plain(d.result) + "\n";
  }
  return out;
}

}  // namespace etl::mapping
