#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "etl/error.hpp"
#include "etl/formats/csv_reader.hpp"
#include "etl/formats/csv_writer.hpp"
#include "etl/formats/ndjson.hpp"
#include "etl/formats/text_format.hpp"
#include "etl/json.hpp"

namespace fs = std::filesystem;

TEST_CASE("csv-spectrum: every case parses to its expected JSON", "[csv]") {
  fs::path dir = fs::path(ETL_TEST_DATA) / "csv-spectrum";
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(dir / "csvs")) {
    std::string stem = entry.path().stem().string();
    INFO(stem);
    etl::CsvReader csv(entry.path().string(), ',');
    // Expected: an array of records, or (location_coordinates) one record as an object.
    etl::Value expected;
    std::ifstream in(dir / "json" / (stem + ".json"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE_FALSE(etl::parse_json(text, expected));
    std::vector<etl::Value> want;
    if (expected.kind() == etl::Value::Kind::Array)
      want = expected.items();
    else
      want.push_back(expected);
    // Upstream's location_coordinates.json has a different phone number than its CSV
    // (2095257564); that one field is compared against the CSV's own value.
    if (stem == "location_coordinates")
      want[0].members()[0].value = etl::Value::string("2095257564");
    etl::Sourced got;
    for (const auto& w : want) {
      REQUIRE(csv.next(got));
      CHECK(got.reject_reason.empty());
      CHECK(etl::to_json(got.record) == etl::to_json(w));
    }
    CHECK_FALSE(csv.next(got));
    ++cases;
  }
  CHECK(cases == 12);
}

TEST_CASE("csv reader reports the line where an unterminated quote began", "[csv]") {
  fs::path p = fs::temp_directory_path() / "etl_unterminated.csv";
  { std::ofstream(p) << "a,b\n1,2\n3,\"open\n4,5\n"; }
  etl::CsvReader csv(p.string(), ',');
  etl::Sourced r;
  REQUIRE(csv.next(r));
  REQUIRE_THROWS_WITH(csv.next(r),
                      Catch::Contains("etl_unterminated.csv:3: unterminated quoted field"));
  fs::remove(p);
}

namespace {
// Every row of a CSV text read from memory: its place, reject reason and values; an error
// (an unterminated quote) ends the list with its message.
std::vector<std::string> rows_of(const std::string& text, std::uint64_t first_line,
                                 bool plain_rows = true) {
  static const std::vector<std::string> header = {"a", "b"};
  std::vector<std::string> rows;
  try {
    etl::CsvReader reader(etl::TextChunk{text, first_line}, "t.csv", ',', &header);
    reader.use_plain_rows(plain_rows);
    etl::Sourced s;
    while (reader.next(s)) {
      std::string row = std::to_string(s.where.line) + " " + s.reject_reason + " " + s.raw;
      for (const auto& m : s.record.fields()) row += "|" + m.value.text();
      rows.push_back(row);
    }
  } catch (const etl::Error& e) {
    rows.push_back(e.what());
  }
  return rows;
}
}  // namespace

TEST_CASE("a CSV text cut where last_csv_end says reads as the whole text", "[csv]") {
  // Texts of the bytes that matter (quotes, delimiters, CR, LF), many cut points each: the rows
  // of the part before the cut followed by those of the part after (its lines counted on from
  // the cut's) must be the rows of the whole, places, rejects and errors included.
  // Half the texts have no CR (last_csv_end's quote-to-quote path), half may (the full walk).
  std::mt19937 rnd(20261130);
  const char alphabet[] = {'a', 'b', ',', '"', '"', '\n', '\n', '\r'};
  for (int n = 0; n < 40000; ++n) {
    std::string text;
    std::size_t len = rnd() % 40;
    std::size_t letters = n % 2 ? sizeof alphabet : sizeof alphabet - 1;
    for (std::size_t i = 0; i < len; ++i) text.push_back(alphabet[rnd() % letters]);
    std::size_t block = rnd() % (len + 1);  // the splitter sees the text up to here
    etl::RecordCut cut = etl::last_csv_end(std::string_view(text).substr(0, block), ',');
    INFO(text << " block " << block << " cut " << cut.end);
    REQUIRE(cut.end <= block);
    if (cut.end == 0) continue;
    CHECK(text[cut.end - 1] == '\n');
    auto joined = rows_of(text.substr(0, cut.end), 1);
    auto rest = rows_of(text.substr(cut.end), 1 + cut.lines);
    joined.insert(joined.end(), rest.begin(), rest.end());
    CHECK(joined == rows_of(text, 1));
    CHECK(rows_of(text, 1, false) == rows_of(text, 1));  // the fast rows are the slow ones
  }
}

TEST_CASE("a CSV field is checked as UTF-8 wherever its bytes past ASCII are", "[csv]") {
  // The reader checks UTF-8 only in a row where the scan saw a byte past ASCII: a bad byte at
  // any place of a long field (in the sixteen-byte scan or its tail), quoted or not, must still
  // reject the row, and good multi-byte characters pass.
  std::string plain(40, 'x');
  for (std::size_t at = 0; at <= plain.size(); ++at) {
    for (bool quoted : {false, true}) {
      std::string bad = plain, good = plain;
      bad.insert(at, "\xff");
      good.insert(at, "\xc3\xa9");
      auto field = [&](const std::string& s) { return quoted ? "\"" + s + "\"" : s; };
      INFO("at " << at << (quoted ? " quoted" : ""));
      auto rows = rows_of("ok," + field(bad) + "\nok," + field(good) + "\n", 1);
      REQUIRE(rows.size() == 2);
      CHECK(rows[0].find("invalid UTF-8 in field 'b'") != std::string::npos);
      CHECK(rows[1] == "2  |ok|" + good);
    }
  }
}

TEST_CASE("a doubled quote anywhere in a field reads as one quote, from bit masks or not",
          "[csv]") {
  // Rows read from bit masks take a doubled quote at any place of the sixteen-byte blocks (its
  // second quote the next block's first byte too), and a line end in the same field.
  std::string text;
  for (std::size_t at = 0; at <= 40; ++at) {
    std::string inner(40, 'x');
    inner.insert(at, "\"\"");
    text += "k" + std::to_string(at) + ",\"" + inner + (at % 3 == 0 ? "\n" : "") + "\"\n";
  }
  auto plain = rows_of(text, 1), bytewise = rows_of(text, 1, false);
  REQUIRE(plain.size() == 41);
  CHECK(plain == bytewise);
  CHECK(plain[5] == "8  |k5|xxxxx\"" + std::string(35, 'x'));
}

TEST_CASE("a CSV row's bytes past ASCII are checked wherever they are, however many", "[csv]") {
  // A good character early in the row and a bad byte at any later place, in the same field or
  // another: the row is rejected, as it is when read byte by byte.
  for (std::size_t at = 0; at <= 40; ++at) {
    for (bool other_field : {false, true}) {
      std::string tail(40, 'x');
      tail.insert(at, "\xff");
      std::string row = other_field ? "\xc3\xa9ok," + tail : "ok,\xc3\xa9" + tail;
      INFO("at " << at << (other_field ? " in a" : " in b"));
      auto rows = rows_of(row + "\n", 1);
      REQUIRE(rows.size() == 1);
      CHECK(rows[0].find("invalid UTF-8 in field 'b'") != std::string::npos);
      CHECK(rows == rows_of(row + "\n", 1, false));
    }
  }
}

namespace {
// Every row of a reader as text: place, reject, raw and values; next_fields() rows too, when
// fields is set (their record made only for a check of it against the fields).
int json_plain_rows = 0;  // rows all_rows() was told have no byte JSON escapes

std::vector<std::string> all_rows(etl::CsvReader& reader, bool fields) {
  std::vector<std::string> rows;
  etl::Sourced s;
  for (;;) {
    std::string row;
    if (fields) {
      auto r = reader.next_fields(s);
      if (r == etl::CsvReader::Row::End) break;
      if (r == etl::CsvReader::Row::Record) {
        bool plain = true;
        for (auto f : reader.fields()) {
          row += "|" + std::string(f);
          for (char c : f)
            plain = plain && c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20;
        }
        if (reader.json_plain()) CHECK(plain);  // else the NDJSON of its fields would be wrong
        json_plain_rows += reader.json_plain();
        reader.record_of_row(s);
      }
    } else if (!reader.next(s)) {
      break;
    }
    std::string values;
    for (const auto& m : s.record.fields()) values += "|" + m.value.text();
    if (fields && s.reject_reason.empty()) CHECK(row == values);
    rows.push_back(std::to_string(s.where.line) + " " + s.reject_reason + " " + s.raw + values);
  }
  return rows;
}
}  // namespace

TEST_CASE("a CSV file read through many buffers gives the rows its one chunk gives", "[csv]") {
  // The file reader keeps the row it is in when it reads on, so that each field stays one run of
  // bytes: rows of quotes, doubled quotes, bytes after a closing quote, line ends in quotes,
  // characters past ASCII and bad bytes, some longer than a buffer, cut anywhere by the reads.
  // Half the rows have no CR (the first pieces), which the reader takes from bit masks.
  std::mt19937 rnd(20261130);
  const std::vector<std::string> pieces = {"a",        "bc",   "\"",    ",",          "\n",
                                           "\xc3\xa9", "x y",  "\"q\"", "long field", "\",\"",
                                           "\"\"",     "\xff", "\r\n",  "\"\"\"\""};
  std::string text = "h1,h2,h3\n";
  while (text.size() < 700000) {
    std::size_t n = rnd() % 200 == 0 ? 60000 + rnd() % 150000 : rnd() % 30;
    std::size_t kinds = rnd() % 2 ? pieces.size() : 10;
    for (std::size_t i = 0; i < n; ++i) text += pieces[rnd() % kinds];
    text += "\n";
  }
  text += "1,2,3\n";  // (an open quote before it may still make the end an error)
  fs::path p = fs::temp_directory_path() / "etl_many_buffers.csv";
  { std::ofstream(p, std::ios::binary) << text; }
  auto rows = [&](bool stream, bool fields, bool plain = true) {
    std::vector<std::string> got;
    try {
      if (stream) {
        etl::CsvReader reader(p.string(), ',');
        reader.use_plain_rows(plain);
        got = all_rows(reader, fields);
      } else {
        std::string body = text.substr(text.find('\n') + 1);
        static const std::vector<std::string> header = {"h1", "h2", "h3"};
        etl::CsvReader reader(etl::TextChunk{body, 2}, p.string(), ',', &header);
        reader.use_plain_rows(plain);
        got = all_rows(reader, fields);
      }
    } catch (const etl::Error& e) {
      got.push_back(e.what());
    }
    return got;
  };
  auto whole = rows(false, false, false);
  CHECK(whole.size() > 1000);
  CHECK(rows(false, false) == whole);  // rows read from bit masks, where they can be
  CHECK(rows(true, false) == whole);
  CHECK(rows(true, true) == whole);
  json_plain_rows = 0;
  CHECK(rows(false, true) == whole);
  CHECK(json_plain_rows > 100);
  fs::remove(p);
}

TEST_CASE("a CSV row is written as RFC 4180 says, quoted only where it must be", "[csv]") {
  // Rows of strings with delimiters, quotes, CR and LF, numbers, booleans and nulls, written by
  // the encoder (whole rows at once, or field by field where a value is JSON text) against a
  // plain reference: quotes around a field with a delimiter, quote, CR or LF, quotes doubled.
  auto reference = [](std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::mt19937 rnd(20261130);
  const std::vector<std::string> pieces = {"a", "b c", ",", "\"", "\r", "\n", "\xc3\xa9", "1.5"};
  etl::CsvRowEncoder encoder({"s", "n", "t", "z", "j"}, ',', false);
  for (int n = 0; n < 3000; ++n) {
    std::string text;
    for (std::size_t i = rnd() % 6; i > 0; --i) text += pieces[rnd() % pieces.size()];
    etl::Record r;
    r.set("s", etl::Value::string(text));
    r.set("n", etl::Value::number("-12.50"));
    r.set("t", etl::Value::boolean(n % 2 == 0));
    r.set("z", etl::Value());
    bool nested = n % 5 == 0;
    r.set("j", nested ? etl::Value::array() : etl::Value::string(text + "x"));
    std::string out = "prefix|", reason;
    REQUIRE(encoder.encode(r, out, reason));
    std::string want = "prefix|" + reference(text) + ",-12.50," + (n % 2 == 0 ? "true" : "false") +
                       ",," + (nested ? std::string("[]") : reference(text + "x")) + "\n";
    INFO(text);
    CHECK(out == want);
  }
}

TEST_CASE("a CSV field is quoted when it holds its delimiter, a quote, CR or LF, at any place",
          "[csv]") {
  // Fields of every length up to 40 (short ones are looked at in two overlapping words, longer
  // ones sixteen bytes at a time), each special byte at each place, under delimiters that
  // include one past ASCII.
  for (char delimiter : {',', '\t', ';', '\xA6'}) {
    etl::CsvRowEncoder encoder({"f"}, delimiter, false);
    for (std::size_t size = 1; size <= 40; ++size)
      for (char special : {delimiter, '"', '\r', '\n', 'x'})
        for (std::size_t at = 0; at < size; ++at) {
          std::string text(size, 'a');
          text[at] = special;
          etl::Record r;
          r.set("f", etl::Value::string(text));
          std::string out, reason;
          REQUIRE(encoder.encode(r, out, reason));
          std::string want = text;
          if (special != 'x') {
            want = "\"";
            for (char c : text) want += c == '"' ? std::string("\"\"") : std::string(1, c);
            want += "\"";
          }
          INFO(int(delimiter) << " " << size << " " << at << " " << int(special));
          CHECK(out == want + "\n");
        }
  }
}

TEST_CASE("a record's CSV row: a lone empty field quoted, nulls counted, any number of columns",
          "[csv]") {
  // Rows of up to 64 columns are sized first and written at once, wider ones field by field:
  // both write the same.
  etl::CsvRowEncoder lone({"a"}, ',', false);
  etl::Record r;
  r.set("a", etl::Value::string(""));
  std::string out, reason;
  REQUIRE(lone.encode(r, out, reason));
  r.set("a", etl::Value());
  REQUIRE(lone.encode(r, out, reason));
  CHECK(out == "\"\"\n\"\"\n");  // (a blank line would be no row to a reader)
  CHECK(lone.nulls_as_empty() == 1);
  etl::CsvRowEncoder lone_null_empty({"a"}, ',', false, std::string());
  out.clear();
  REQUIRE(lone_null_empty.encode(r, out, reason));
  CHECK(out == "\n");  // the null, as COPY writes it under --null ''
  for (std::size_t columns : {63, 64, 65, 200}) {
    std::vector<std::string> names;
    etl::Record wide;
    std::string want;
    for (std::size_t i = 0; i < columns; ++i) {
      names.push_back("c" + std::to_string(i));
      if (i % 3 == 0) wide.set(names.back(), etl::Value());
      if (i % 3 == 1) wide.set(names.back(), etl::Value::string("x,\"y\""));
      if (i % 3 == 2) wide.set(names.back(), etl::Value::number("NULL"));  // (as the null text)
      want += (i > 0 ? "," : "") + std::string(i % 3 == 0   ? "NULL"
                                               : i % 3 == 1 ? "\"x,\"\"y\"\"\""
                                                            : "\"NULL\"");
    }
    etl::CsvRowEncoder encoder(names, ',', false, std::string("NULL"));
    out.clear();
    REQUIRE(encoder.encode(wide, out, reason));
    CHECK(out == want + "\n");
  }
}

TEST_CASE("a row encoder refuses a row whose fields are not its names, and writes nothing",
          "[csv]") {
  // The CSV reader rejects such a row before it gets here; should one come, it is refused
  // loudly rather than read past the names.
  fs::path p = fs::temp_directory_path() / "etl_row_encoder.ndjson";
  etl::NdjsonWriter ndjson(p.string());
  etl::CsvRowEncoder csv({"a", "b"}, ',', false);
  std::vector<std::string> names = {"a", "b"};
  std::vector<std::unique_ptr<etl::RowEncoder>> encoders;
  encoders.push_back(ndjson.encoder()->row_encoder(names));
  encoders.push_back(csv.row_encoder(names));
  for (auto& row : encoders) {
    REQUIRE(row);
    std::string out = "kept", reason;
    std::vector<std::string_view> good = {"1", "x"}, short_row = {"1"}, long_row = {"1", "2", "3"};
    CHECK_FALSE(row->encode(short_row, true, out, reason));
    CHECK(reason == "a row of 1 fields under 2 names");
    CHECK_FALSE(row->encode(long_row, true, out, reason));
    CHECK(out == "kept");
    CHECK(row->encode(good, true, out, reason));
    CHECK(out.size() > 4);
  }
  fs::remove(p);
}

TEST_CASE("read_null_as reads an unquoted field of the null text as null, a quoted one as text",
          "[csv]") {
  // Random rows of empty, quoted empty, NULL, quoted NULL and a quoted field with a doubled
  // quote, read on the fast path and byte by byte.
  struct Piece {
    std::string csv;
    std::string value;  // what it reads as
    bool quoted;
  };
  const std::vector<Piece> pieces = {{"", "", false},         {"\"\"", "", true},
                                     {"NULL", "NULL", false}, {"\"NULL\"", "NULL", true},
                                     {"x", "x", false},       {"\"a\"\"b\"", "a\"b", true}};
  std::mt19937 rnd(20261201);
  for (const std::string null_text : {"", "NULL"}) {
    std::string text;
    std::vector<std::string> want;  // each field: "null" or its value's JSON
    for (int row = 0; row < 400; ++row) {
      for (int f = 0; f < 2; ++f) {
        const Piece& p = pieces[rnd() % pieces.size()];
        text += (f ? "," : "") + p.csv;
        bool null = !p.quoted && p.value == null_text;
        want.push_back(null ? "null" : etl::to_json(etl::Value::string(p.value)));
      }
      text += "\n";
    }
    for (bool plain : {true, false}) {
      INFO("null text '" << null_text << "', plain rows " << plain);
      static const std::vector<std::string> header = {"a", "b"};
      etl::CsvReader reader(etl::TextChunk{text, 2}, "t.csv", ',', &header);
      reader.use_plain_rows(plain);
      reader.read_null_as(null_text);
      std::vector<std::string> got;
      etl::Sourced s;
      while (reader.next(s))
        for (const auto& m : s.record.fields()) got.push_back(etl::to_json(m.value));
      CHECK(got == want);
    }
  }
}

TEST_CASE("values written with a null text read back with it as they were", "[csv]") {
  std::mt19937 rnd(20261202);
  const std::vector<etl::Value> values = {etl::Value(),
                                          etl::Value::string(""),
                                          etl::Value::string("NULL"),
                                          etl::Value::string("\\N"),
                                          etl::Value::string("a,\"b\"\n"),
                                          etl::Value::string("x")};
  for (const std::string null_text : {"", "NULL", "\\N"}) {
    etl::CsvRowEncoder encoder({"a", "b", "c"}, ',', false, null_text);
    std::string text;
    std::vector<std::string> want;
    for (int row = 0; row < 300; ++row) {
      etl::Record r;
      for (const char* name : {"a", "b", "c"}) {
        const etl::Value& v = values[rnd() % values.size()];
        r.set(name, v);
        want.push_back(etl::to_json(v));
      }
      std::string reason;
      REQUIRE(encoder.encode(r, text, reason));
    }
    static const std::vector<std::string> header = {"a", "b", "c"};
    etl::CsvReader reader(etl::TextChunk{text, 2}, "t.csv", ',', &header);
    reader.read_null_as(null_text);
    std::vector<std::string> got;
    etl::Sourced s;
    while (reader.next(s))
      for (const auto& m : s.record.fields()) got.push_back(etl::to_json(m.value));
    INFO("null text '" << null_text << "'");
    CHECK(got == want);
    CHECK(encoder.nulls_as_empty() == 0);
  }
}

TEST_CASE("a text-format field escapes its backslashes, line ends and delimiter at any place",
          "[csv]") {
  // Every length up to 40 (under 16 bytes looked at in two overlapping words, then sixteen at a
  // time), each special byte at each place and once more at the end, against byte-by-byte rules.
  auto escaped = [](char c, char delimiter) -> std::string {
    if (c == '\\') return "\\\\";
    if (c == '\n') return "\\n";
    if (c == '\r') return "\\r";
    if (c == delimiter) return c == '\t' ? std::string("\\t") : std::string{'\\', c};
    return std::string(1, c);
  };
  for (char delimiter : {'\t', ',', '|'})
    for (std::size_t size = 1; size <= 40; ++size)
      for (char special : {delimiter, '\\', '\r', '\n', '\t', 'x'})
        for (std::size_t at = 0; at < size; ++at) {
          std::string text(size, 'a');
          text[at] = special;
          text.back() = special;
          std::string want;
          for (char c : text) want += escaped(c, delimiter);
          std::string out = "kept";
          etl::append_text_field(out, text, delimiter);
          INFO(int(delimiter) << " " << size << " " << at << " " << int(special));
          CHECK(out == "kept" + want);
        }
}

TEST_CASE("the text format reads back every string and null it wrote", "[csv]") {
  // Random strings of tabs, line ends, backslashes, \N look-alikes and characters past ASCII,
  // and nulls, written by the writer's escaping and read by the reader. Nine fields a row: the
  // reader's buffers for unescaped fields grow in the middle of a row, and must not leave an
  // earlier field of it pointing where a short string was (ASan sees it when they do).
  std::mt19937 rnd(20261203);
  const std::vector<std::string> pieces = {"a", "\t",       "\n", "\r", "\\", "\\N",
                                           "N", "\xc3\xa9", "\"", ",",  "\\t"};
  fs::path p = fs::temp_directory_path() / "etl_text_format.txt";
  std::vector<std::string> want;
  {
    std::ofstream out(p, std::ios::binary);
    out << "a\tb\tc\td\te\tf\tg\th\ti\n";
    for (int row = 0; row < 500; ++row) {
      std::string line;
      for (int f = 0; f < 9; ++f) {
        if (f) line += '\t';
        if (rnd() % 7 == 0) {
          line += "\\N";
          want.push_back("null");
          continue;
        }
        std::string s;
        for (std::size_t i = rnd() % 5; i > 0; --i) s += pieces[rnd() % pieces.size()];
        etl::append_text_field(line, s, '\t');
        want.push_back(etl::to_json(etl::Value::string(s)));
      }
      out << line << '\n';
    }
  }
  etl::TextFormatReader reader(p.string(), '\t');
  std::vector<std::string> got;
  etl::Sourced s;
  while (reader.next(s)) {
    INFO(s.reject_reason);
    CHECK(s.reject_reason.empty());
    for (const auto& m : s.record.fields()) got.push_back(etl::to_json(m.value));
  }
  CHECK(got == want);
  fs::remove(p);
}

TEST_CASE("a text-format row splits into the same fields with escapes or without", "[csv]") {
  etl::TextRows rows('\t');
  using V = std::vector<std::string_view>;
  auto split = [&](std::string_view line) {
    std::string why = rows.split_row(line);
    INFO(why);
    CHECK(why.empty());
    return rows.fields();
  };
  CHECK(split("") == V{""});
  CHECK(split("\t") == V{"", ""});
  CHECK(split("a\t\tb\t") == V{"a", "", "b", ""});
  CHECK(split("Zo\xc3\xab\tx") == V{"Zo\xc3\xab", "x"});
  CHECK(!rows.has_null());
  CHECK(!rows.is_null(0));
  // The same line with an escape in its last field: the others are read alike.
  CHECK(split("a\t\tb\tc\\td") == V{"a", "", "b", "c\td"});
  CHECK(split("\\N\t\\\\N\tx\\\\") == V{"\\N", "\\N", "x\\"});
  CHECK(rows.has_null());
  CHECK(rows.is_null(0));
  CHECK(!rows.is_null(1));
  // Invalid UTF-8 is named by its field, in a line with no escape and in one with one.
  CHECK(rows.split_row("ok\tbad\xff") == "invalid UTF-8 in field 2");
  CHECK(rows.split_row("\\t\tbad\xff\tok") == "invalid UTF-8 in field 2");
  CHECK(rows.split_row("ends\\") == "a backslash ends a field (is the line cut?)");
  // After a row with nulls, a plain row has none.
  split("a\tb");
  CHECK(!rows.has_null());
  CHECK(!rows.is_null(1));
}
