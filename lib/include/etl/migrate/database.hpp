#pragma once
// The databases etl-migrate moves between: each reads its schema, writes the DDL of another's
// (tables first, then keys, indexes and foreign keys), and gives the addresses its tables are
// read and loaded through (the connectors every tool uses).
#include <memory>
#include <string>
#include <vector>

#include "etl/connector_options.hpp"
#include "etl/migrate/schema.hpp"

namespace etl::migrate {

class Database {
 public:
  virtual ~Database() = default;
  virtual Schema read_schema() = 0;
  // The statements that make the tables (without what is added after the data), and those that
  // come after it: primary keys where they can be added later, unique constraints, indexes,
  // foreign keys, sequences moved past the data.
  virtual std::vector<std::string> create_tables(const Schema& s) const = 0;
  virtual std::vector<std::string> after_data(const Schema& s) const = 0;
  virtual void run(const std::string& sql) = 0;
  virtual bool has_table(const std::string& name) = 0;
  // Deletes every row of the table (--resume: a table an earlier run did not finish).
  virtual void empty_table(const std::string& name) = 0;
  // Loading many tables at once pays here (a server); SQLite takes one writer at a time.
  virtual bool parallel_loads() const = 0;
  // The address of one table, as the connectors take it (sqlite:PATH#T, postgresql://…#T).
  std::string table_address(const std::string& table) const { return m_address + "#" + table; }
  const std::string& address() const { return m_address; }

 protected:
  explicit Database(std::string address) : m_address(std::move(address)) {}
  std::string m_address;
};

// sqlite:PATH or postgresql://…; password_file as --password-file.
std::unique_ptr<Database> open_database(const std::string& address, const ConnectorOptions& options,
                                        bool create);

}  // namespace etl::migrate
