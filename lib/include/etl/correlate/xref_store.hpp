#pragma once
// The cross-reference store: which left record is which right record, kept between runs in a
// SQLite table `xref` (entity, left_key, right_key, rule, score, first_seen, last_seen). Keys
// keep their type (a customer number 10042 stays an integer); a composite key is a JSON array.
#include <string>
#include <unordered_map>
#include <vector>

#include "etl/value.hpp"

namespace etl::correlate {

struct XrefPair {
  Value left, right;
  std::string rule;
  double score = 1;
};

// The text a key is matched by: a scalar's text, or the JSON of a composite key.
std::string key_text(const Value& key);

class XrefStore {
 public:
  // Opens (creating when missing) the store at path.
  explicit XrefStore(std::string path);
  // The pairs kept for entity, left key text → right key text.
  std::unordered_map<std::string, std::string> load(const std::string& entity) const;
  // Records this run's pairs in one transaction: for each left key paired now, its pairs become
  // these (first_seen kept for the ones already known); left keys not paired now are untouched.
  void save(const std::string& entity, const std::vector<XrefPair>& pairs) const;

 private:
  std::string m_path;
};

// For a mapping's lookup: left key text → right key, of one entity. A store that does not exist
// yet holds no pairs (no correlation has run). Throws DataError when a left key has several right
// keys (a lookup must give one answer) and IoError when the file is not a store.
std::unordered_map<std::string, Value> load_xref_lookup(const std::string& path,
                                                        const std::string& entity);

}  // namespace etl::correlate
