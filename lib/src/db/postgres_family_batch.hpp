#pragma once
// etl-load --children into PostgreSQL, a batch of families at a time (see the .cpp).
#include <string>
#include <vector>

#include "etl/db/family_sink.hpp"
#include "etl/db/postgres.hpp"

namespace etl {

class PgFamilyBatch {
 public:
  PgFamilyBatch(PgConnection& conn, const FamilyPlan& plan, const std::vector<Family>& families,
                std::vector<FamilyRows>& out);
  // Writes the batch and fills one FamilyRows per family; throws IoError when a statement
  // fails (the transaction is then to be rolled back to before it).
  void run();

 private:
  void stage(const std::string& name, const std::string& table,
             const std::vector<std::string>& fields);
  void append_row(std::string& copy, const Record& r, std::size_t row, std::size_t elem) const;
  void copy_into(const std::string& name, const std::vector<std::string>& fields,
                 const std::string& text);
  void write_parents();
  std::string missing_rows() const;
  void write_children(std::size_t i);
  void delete_stale(std::size_t i, const std::string& stage_name);

  PgConnection& m_conn;
  const FamilyPlan& m_plan;
  const std::vector<Family>& m_families;
  std::vector<FamilyRows>& m_out;
  std::vector<std::string> m_parent_fields;
  bool m_direct = false;  // insert and replace COPY straight into the tables
};

}  // namespace etl
