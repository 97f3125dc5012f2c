// Casts to string and bool, null tests, lookups and hashing.
#include <openssl/evp.h>

#include "etl/json.hpp"
#include "functions.hpp"

namespace etl::mapping {
namespace {

std::string scalar_text(CallSite& c, std::size_t i) {
  std::string out;
  append_text(out, c.arg(i));
  return out;
}

Datum fn_string(CallSite& c, EvalContext&) {
  return Datum::string(scalar_text(c, 0));
}

Datum fn_bool(CallSite& c, EvalContext&) {
  const Datum& d = c.arg(0);
  if (d.type() == Datum::Type::Bool) return d;
  if (d.type() == Datum::Type::String) {
    std::string s;
    for (char ch : d.text())
      s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    // t/f: NetSuite writes its booleans as T and F.
    if (s == "true" || s == "1" || s == "yes" || s == "y" || s == "t") return Datum::boolean(true);
    if (s == "false" || s == "0" || s == "no" || s == "n" || s == "f") return Datum::boolean(false);
  } else if (d.type() == Datum::Type::Number) {
    Decimal v = d.decimal();
    if (v.is_zero()) return Datum::boolean(false);
    if (compare(v, Decimal::from_int(1)) == 0) return Datum::boolean(true);
  }
  c.fail(fmt::format("cannot convert {} to a boolean (true/false, t/f, yes/no, y/n, 1/0)",
                     d.describe()));
}

Datum fn_is_null(CallSite& c, EvalContext&) {
  return Datum::boolean(c.arg(0).is_null());
}

void prepare_lookup(CallSite& c, const CompileContext& cc) {
  const Datum* name = c.literal_string(0, cc, "the lookup name");
  if (!name) return;
  const Lookup* found = nullptr;
  std::vector<std::string> names;
  if (cc.lookups)
    for (const auto& [n, l] : *cc.lookups) {
      names.push_back(n);
      if (n == name->text()) found = &l;
    }
  if (!found) {
    cc.error(c.args[0]->pos(), fmt::format("unknown lookup '{}'{}", name->text(),
                                           names.empty() ? " (the mapping declares no lookups)"
                                                         : did_you_mean(name->text(), names)));
    return;
  }
  c.lookup = found;
  std::size_t keys = found->key_count;
  if (c.args.size() != keys + 1 && c.args.size() != keys + 2) {
    std::string args = "key";
    if (keys > 1) {
      args = "key1";
      for (std::size_t i = 2; i <= keys; ++i) args += ", key" + std::to_string(i);
    }
    cc.error(c.pos, fmt::format("lookup '{}' is keyed on {} field{}: lookup('{}', {}[, default])",
                                name->text(), keys, keys == 1 ? "" : "s", name->text(), args));
  }
  c.hit = cc.branch(fmt::format("lookup '{}' found", name->text()), c.pos);
  c.miss = cc.branch(fmt::format("lookup '{}' default", name->text()), c.pos);
}

// Not null-propagating: a null key is a miss, so the default applies.
Datum fn_lookup(CallSite& c, EvalContext&) {
  std::size_t keys = c.lookup->key_count;
  std::string k;
  bool null_key = false;
  for (std::size_t i = 1; i <= keys; ++i) {
    const Datum& key = c.arg(i);
    if (i > 1) k.push_back(Lookup::kKeySeparator);
    if (key.type() == Datum::Type::String)
      k += key.text();
    else if (key.type() == Datum::Type::Number)
      k += key.to_value().text();
    else if (key.is_null())
      null_key = true;
    else
      c.wrong_type(i, "a string or number");
  }
  if (!null_key)
    if (auto it = c.lookup->entries.find(k); it != c.lookup->entries.end()) {
      ++c.hit->taken;
      return Datum::borrow(it->second);  // the table outlives every record
    }
  ++c.miss->taken;
  if (c.count() > keys + 1) return c.arg(keys + 1);
  if (c.lookup->default_value) return Datum::borrow(*c.lookup->default_value);
  std::vector<std::string> shown;
  for (std::size_t i = 1; i <= keys; ++i) shown.push_back(c.arg(i).describe());
  c.fail(fmt::format("lookup '{}' has no entry for {} and no default", c.lookup->name,
                     fmt::join(shown, ", ")));
}

// sha256(a, b, …): hex digest of the arguments' text joined by the unit separator (0x1F), so
// ("ab", "c") and ("a", "bc") differ.
Datum fn_sha256(CallSite& c, EvalContext&) {
  std::string input;
  for (std::size_t i = 0; i < c.count(); ++i) {
    if (i) input.push_back('\x1f');
    input += scalar_text(c, i);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    c.fail("the digest failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return Datum::string(std::move(out));
}

const FunctionSpec kOtherFunctions[] = {
    {"string", 1, 1, true, fn_string, nullptr},
    {"bool", 1, 1, true, fn_bool, nullptr},
    {"is_null", 1, 1, false, fn_is_null, nullptr},
    {"lookup", 2, -1, false, fn_lookup, prepare_lookup},
    {"sha256", 1, -1, true, fn_sha256, nullptr},
};

}  // namespace

std::span<const FunctionSpec> other_functions() {
  return kOtherFunctions;
}

}  // namespace etl::mapping
