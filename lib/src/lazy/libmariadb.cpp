// libmariadb, opened when a MariaDB/MySQL connector first calls it (see lazy_library.hpp).
#include <mysql.h>

#include "etl/lazy_library.hpp"

namespace {
etl::LazyLibrary maria(ETL_LIBMARIADB_SONAME,
                       "the MariaDB client library, Debian package " ETL_LIBMARIADB_PACKAGE);
}  // namespace

ETL_LAZY_FUNCTION(maria, MYSQL*, mysql_init, (MYSQL * mysql), (mysql))
ETL_LAZY_FUNCTION(maria, int, mysql_options,
                  (MYSQL * mysql, enum mysql_option option, const void* arg), (mysql, option, arg))
ETL_LAZY_FUNCTION(maria, MYSQL*, mysql_real_connect,
                  (MYSQL * mysql, const char* host, const char* user, const char* passwd,
                   const char* db, unsigned int port, const char* unix_socket,
                   unsigned long clientflag),
                  (mysql, host, user, passwd, db, port, unix_socket, clientflag))
ETL_LAZY_FUNCTION(maria, void, mysql_close, (MYSQL * sock), (sock))
ETL_LAZY_FUNCTION(maria, my_bool, mysql_commit, (MYSQL * mysql), (mysql))
ETL_LAZY_FUNCTION(maria, my_bool, mysql_rollback, (MYSQL * mysql), (mysql))
ETL_LAZY_FUNCTION(maria, unsigned int, mysql_errno, (MYSQL * mysql), (mysql))
ETL_LAZY_FUNCTION(maria, const char*, mysql_error, (MYSQL * mysql), (mysql))
ETL_LAZY_FUNCTION(maria, unsigned int, mysql_warning_count, (MYSQL * mysql), (mysql))
ETL_LAZY_FUNCTION(maria, unsigned long, mysql_real_escape_string,
                  (MYSQL * mysql, char* to, const char* from, unsigned long length),
                  (mysql, to, from, length))
ETL_LAZY_FUNCTION(maria, int, mysql_real_query,
                  (MYSQL * mysql, const char* q, unsigned long length), (mysql, q, length))
ETL_LAZY_FUNCTION(maria, MYSQL_RES*, mysql_store_result, (MYSQL * mysql), (mysql))
ETL_LAZY_FUNCTION(maria, MYSQL_RES*, mysql_use_result, (MYSQL * mysql), (mysql))
ETL_LAZY_FUNCTION(maria, unsigned int, mysql_num_fields, (MYSQL_RES * res), (res))
ETL_LAZY_FUNCTION(maria, MYSQL_FIELD*, mysql_fetch_fields, (MYSQL_RES * res), (res))
ETL_LAZY_FUNCTION(maria, MYSQL_ROW, mysql_fetch_row, (MYSQL_RES * result), (result))
ETL_LAZY_FUNCTION(maria, unsigned long*, mysql_fetch_lengths, (MYSQL_RES * result), (result))
ETL_LAZY_FUNCTION(maria, void, mysql_free_result, (MYSQL_RES * result), (result))
ETL_LAZY_FUNCTION(maria, MYSQL_STMT*, mysql_stmt_init, (MYSQL * mysql), (mysql))
ETL_LAZY_FUNCTION(maria, int, mysql_stmt_prepare,
                  (MYSQL_STMT * stmt, const char* query, unsigned long length),
                  (stmt, query, length))
ETL_LAZY_FUNCTION(maria, my_bool, mysql_stmt_attr_set,
                  (MYSQL_STMT * stmt, enum enum_stmt_attr_type attr_type, const void* attr),
                  (stmt, attr_type, attr))
ETL_LAZY_FUNCTION(maria, my_bool, mysql_stmt_bind_param, (MYSQL_STMT * stmt, MYSQL_BIND* bnd),
                  (stmt, bnd))
ETL_LAZY_FUNCTION(maria, int, mysql_stmt_execute, (MYSQL_STMT * stmt), (stmt))
ETL_LAZY_FUNCTION(maria, unsigned long long, mysql_stmt_affected_rows, (MYSQL_STMT * stmt), (stmt))
ETL_LAZY_FUNCTION(maria, unsigned int, mysql_stmt_errno, (MYSQL_STMT * stmt), (stmt))
ETL_LAZY_FUNCTION(maria, const char*, mysql_stmt_error, (MYSQL_STMT * stmt), (stmt))
ETL_LAZY_FUNCTION(maria, const char*, mysql_stmt_sqlstate, (MYSQL_STMT * stmt), (stmt))
ETL_LAZY_FUNCTION(maria, my_bool, mysql_stmt_close, (MYSQL_STMT * stmt), (stmt))
ETL_LAZY_FUNCTION(maria, int, mariadb_field_attr,
                  (MARIADB_CONST_STRING * attr, const MYSQL_FIELD* field,
                   enum mariadb_field_attr_t type),
                  (attr, field, type))
