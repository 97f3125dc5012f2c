// Date and time functions. Times carry their zone; strings in ISO 8601 are read as times.
#include <date/tz.h>

#include "functions.hpp"

namespace etl::mapping {
namespace {

constexpr std::int64_t kSecond = 1000000;
constexpr std::int64_t kHour = 3600 * kSecond;
constexpr std::int64_t kDay = 24 * kHour;

std::vector<std::string> all_zone_names() {
  std::vector<std::string> names;
  for (const auto& z : date::get_tzdb().zones) names.emplace_back(z.name());
  return names;
}

// The argument at `at` names a zone; a literal is checked now, anything else when it runs.
void prepare_zone_at(CallSite& c, const CompileContext& cc, std::size_t at) {
  if (at >= c.args.size()) return;
  const Datum* d = c.args[at]->literal();
  if (!d) return;
  if (d->type() != Datum::Type::String) {
    cc.error(c.args[at]->pos(), fmt::format("{}(): the zone must be a string", c.spec->name));
    return;
  }
  c.zone = find_zone(d->text());
  if (!c.zone)
    cc.error(c.args[at]->pos(), fmt::format("unknown time zone '{}'{}", d->text(),
                                            did_you_mean(d->text(), all_zone_names())));
}

// A literal format is checked now; an unknown conversion (%Q) would write or read garbage.
void prepare_format_at(CallSite& c, const CompileContext& cc, std::size_t at, bool printing) {
  if (at >= c.args.size()) return;
  const Datum* d = c.args[at]->literal();
  if (!d || d->type() != Datum::Type::String) return;
  if (char bad = unknown_time_conversion(d->text(), printing))
    cc.error(c.args[at]->pos(),
             fmt::format("{}(): '%{}' is not a time format conversion (use %Y %m %d %H %M %S %z "
                         "…)",
                         c.spec->name, bad));
}

// parse_time's formats: one, or a list tried in order (the first that matches wins).
std::optional<TimeValue> parse_with_formats(CallSite& c, std::string_view s,
                                            const ZoneSettings& zones) {
  const Datum& f = c.arg(1);
  if (f.type() == Datum::Type::String) return parse_with_format(s, f.text(), zones);
  if (f.type() != Datum::Type::Json || f.json_value().kind() != Value::Kind::Array)
    c.wrong_type(1, "a format or a list of formats");
  for (const auto& one : f.json_value().items()) {
    if (one.kind() != Value::Kind::String) c.wrong_type(1, "a list of formats (strings)");
    if (auto t = parse_with_format(s, one.text(), zones)) return t;
  }
  return std::nullopt;
}
void prepare_format_time(CallSite& c, const CompileContext& cc) {
  prepare_format_at(c, cc, 1, true);
}
void prepare_parse_time(CallSite& c, const CompileContext& cc) {
  prepare_format_at(c, cc, 1, false);
  prepare_zone_at(c, cc, 2);
}
void prepare_to_zone(CallSite& c, const CompileContext& cc) {
  prepare_zone_at(c, cc, 1);
}

const date::time_zone* zone_arg(CallSite& c, std::size_t i) {
  if (c.zone) return c.zone;
  const date::time_zone* z = find_zone(c.text(i));
  if (!z) c.fail(fmt::format("unknown time zone '{}'", c.arg(i).text()));
  return z;
}

Datum fn_parse_time(CallSite& c, EvalContext& ctx) {
  if (c.arg(0).type() == Datum::Type::Time) return c.arg(0);  // already a time
  std::string_view s = c.text(0);
  ZoneSettings zones = ctx.zones;
  if (c.count() > 2) zones.zone = zone_arg(c, 2);
  std::optional<TimeValue> t =
      c.count() > 1 ? parse_with_formats(c, s, zones) : parse_timestamp(s, zones);
  if (!t) {
    if (c.count() == 1) c.fail(fmt::format("'{}' is not an ISO 8601 or RFC 2822 timestamp", s));
    std::string formats;
    append_text(formats, c.arg(1));
    c.fail(fmt::format("'{}' does not match the format{} {}", s,
                       c.arg(1).type() == Datum::Type::String ? "" : "s",
                       c.arg(1).type() == Datum::Type::String ? "'" + formats + "'" : formats));
  }
  return Datum::time(*t);
}

Datum from_epoch(CallSite& c, std::int64_t unit) {
  Decimal micros;
  try {
    micros = c.number(0) * Decimal::from_int(unit);
  } catch (const DecimalError& e) {
    c.fail(e.what());
  }
  auto v = micros.to_int64();
  if (!v)
    c.fail(fmt::format("{} is out of range or finer than a microsecond", c.arg(0).describe()));
  return Datum::time(utc_instant(*v));
}
Datum fn_from_epoch(CallSite& c, EvalContext&) {
  return from_epoch(c, kSecond);
}
Datum fn_from_epoch_ms(CallSite& c, EvalContext&) {
  return from_epoch(c, 1000);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

Datum fn_epoch(CallSite& c, EvalContext&) {
  return Datum::number(Decimal::from_int(floor_div(c.time(0).micros, kSecond)));
}
Datum fn_epoch_ms(CallSite& c, EvalContext&) {
  return Datum::number(Decimal::from_int(floor_div(c.time(0).micros, 1000)));
}

Datum fn_format_time(CallSite& c, EvalContext&) {
  const TimeValue& t = c.time(0);
  if (char bad = unknown_time_conversion(c.text(1), true))  // a format computed at run time
    c.fail(fmt::format("'%{}' is not a time format conversion", bad));
  return Datum::string(format_time(t, c.text(1)));
}

Datum fn_to_zone(CallSite& c, EvalContext&) {
  const TimeValue& t = c.time(0);
  return Datum::time(in_zone(t, zone_arg(c, 1)));
}

// Calendar days in the time's own zone: 10:00 stays 10:00 across a daylight-saving change.
Datum fn_add_days(CallSite& c, EvalContext& ctx) {
  TimeValue t = c.time(0);
  std::int64_t n = c.integer(1);
  if (n > 3660000 || n < -3660000) c.fail("too many days");
  if (!t.zone) {
    t.micros += n * kDay;
    return Datum::time(t);
  }
  return Datum::time(from_local(local_micros(t) + n * kDay, ZoneSettings{t.zone, ctx.zones.dst}));
}

Datum fn_add_hours(CallSite& c, EvalContext&) {
  TimeValue t = c.time(0);
  std::int64_t n = c.integer(1);
  if (n > 87840000 || n < -87840000) c.fail("too many hours");
  t.micros += n * kHour;
  return Datum::time(t);
}

// Whole units from the second time to the first, truncated toward zero.
Datum fn_diff_days(CallSite& c, EvalContext&) {
  std::int64_t a = c.time(0).micros, b = c.time(1).micros;
  return Datum::number(Decimal::from_int((a - b) / kDay));
}
Datum fn_diff_hours(CallSite& c, EvalContext&) {
  std::int64_t a = c.time(0).micros, b = c.time(1).micros;
  return Datum::number(Decimal::from_int((a - b) / kHour));
}

// The calendar date (YYYY-MM-DD) of a time in its zone, or of an ISO 8601 string.
Datum fn_date(CallSite& c, EvalContext& ctx) {
  if (c.arg(0).type() == Datum::Type::String) {
    auto t = parse_iso8601(c.arg(0).text(), ctx.zones);
    if (!t) c.fail(fmt::format("cannot convert {} to a date", c.arg(0).describe()));
    return Datum::string(format_time(*t, "%F"));
  }
  return Datum::string(format_time(c.time(0), "%F"));
}

Datum fn_now(CallSite&, EvalContext& ctx) {
  return Datum::time(ctx.now);
}

const FunctionSpec kTimeFunctions[] = {
    {"parse_time", 1, 3, true, fn_parse_time, prepare_parse_time},
    {"from_epoch", 1, 1, true, fn_from_epoch, nullptr},
    {"from_epoch_ms", 1, 1, true, fn_from_epoch_ms, nullptr},
    {"epoch", 1, 1, true, fn_epoch, nullptr},
    {"epoch_ms", 1, 1, true, fn_epoch_ms, nullptr},
    {"format_time", 2, 2, true, fn_format_time, prepare_format_time},
    {"to_zone", 2, 2, true, fn_to_zone, prepare_to_zone},
    {"add_days", 2, 2, true, fn_add_days, nullptr},
    {"add_hours", 2, 2, true, fn_add_hours, nullptr},
    {"diff_days", 2, 2, true, fn_diff_days, nullptr},
    {"diff_hours", 2, 2, true, fn_diff_hours, nullptr},
    {"date", 1, 1, true, fn_date, nullptr},
    {"now", 0, 0, false, fn_now, nullptr},
};

}  // namespace

std::span<const FunctionSpec> time_functions() {
  return kTimeFunctions;
}

}  // namespace etl::mapping
