#pragma once
// Numbers as databases read them from text: which texts are numbers, and a form of a number's
// value that two texts share exactly when their values are equal, whatever their digits.
#include <optional>
#include <string>
#include <string_view>

namespace etl {

// text without the spaces around it (' ', \t, \n, \v, \f, \r), which SQL reads past.
std::string_view sql_trimmed(std::string_view text);

// The shortest text that reads back as d (or f): how a REAL, a float8 or a float4 reads.
std::string shortest_text(double d);
std::string shortest_text(float f);

// Whether text (surrounding spaces allowed) is a decimal number as SQL reads one:
// [+-] digits [. digits] [e [+-] digits], or [+-] . digits …; never hex, never "NaN".
bool is_sql_number(std::string_view text);

// The value of an is_sql_number text: sign, significant digits and the exponent of the last
// ("19.990" and "19.99" give "1999e-2"; "-0" and "0" give "0"), with no limit on digits.
std::string number_value_form(std::string_view text);

// Whether text is a plain decimal ([-]digits[.digits], no exponent, short enough to be inside
// the type's range) of at most `digits` significant digits (zeros after the first nonzero digit
// count): with 15 the double nearest it prints back as the same value (DBL_DIG), with 6 the float
// (FLT_DIG). Cheap: most numbers need no conversion to know that a binary column keeps them.
bool short_decimal(std::string_view text, std::size_t digits);

// What a binary floating-point column (bytes 8: double precision, 4: real/FLOAT) would hold for
// an is_sql_number text, as its shortest text, when that is another value (9007199254740993
// becomes 9007199254740992); nullopt when the value is kept, or it is beyond the type's range
// (which the server refuses).
std::optional<std::string> float_changes(std::string_view text, int bytes);

// The exponent of a number's last significant digit, from its number_value_form (19.990: -2;
// 100: 2; 0: none, a large number): a scale s holds the value exactly when it is >= -s.
long long last_digit_exponent(const std::string& value_form);

}  // namespace etl
