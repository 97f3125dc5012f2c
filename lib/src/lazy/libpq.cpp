// libpq, opened when a PostgreSQL connector first calls it (see lazy_library.hpp).
#include <libpq-fe.h>

#include "etl/lazy_library.hpp"

namespace {
etl::LazyLibrary pq(ETL_LIBPQ_SONAME,
                    "the PostgreSQL client library, Debian package " ETL_LIBPQ_PACKAGE);
}  // namespace

ETL_LAZY_FUNCTION(pq, PGconn*, PQconnectdbParams,
                  (const char* const* keywords, const char* const* values, int expand_dbname),
                  (keywords, values, expand_dbname))
ETL_LAZY_FUNCTION(pq, ConnStatusType, PQstatus, (const PGconn* conn), (conn))
ETL_LAZY_FUNCTION(pq, PGTransactionStatusType, PQtransactionStatus, (const PGconn* conn), (conn))
ETL_LAZY_FUNCTION(pq, char*, PQerrorMessage, (const PGconn* conn), (conn))
ETL_LAZY_FUNCTION(pq, void, PQfinish, (PGconn * conn), (conn))
ETL_LAZY_FUNCTION(pq, int, PQrequestCancel, (PGconn * conn), (conn))
ETL_LAZY_FUNCTION(pq, char*, PQescapeLiteral, (PGconn * conn, const char* str, size_t len),
                  (conn, str, len))
ETL_LAZY_FUNCTION(pq, void, PQfreemem, (void* ptr), (ptr))
ETL_LAZY_FUNCTION(pq, PGresult*, PQexec, (PGconn * conn, const char* query), (conn, query))
ETL_LAZY_FUNCTION(pq, PGresult*, PQexecParams,
                  (PGconn * conn, const char* command, int n_params, const Oid* param_types,
                   const char* const* param_values, const int* param_lengths,
                   const int* param_formats, int result_format),
                  (conn, command, n_params, param_types, param_values, param_lengths, param_formats,
                   result_format))
ETL_LAZY_FUNCTION(pq, PGresult*, PQprepare,
                  (PGconn * conn, const char* stmt_name, const char* query, int n_params,
                   const Oid* param_types),
                  (conn, stmt_name, query, n_params, param_types))
ETL_LAZY_FUNCTION(pq, PGresult*, PQdescribePrepared, (PGconn * conn, const char* stmt),
                  (conn, stmt))
ETL_LAZY_FUNCTION(pq, PGresult*, PQgetResult, (PGconn * conn), (conn))
ETL_LAZY_FUNCTION(pq, int, PQputCopyData, (PGconn * conn, const char* buffer, int nbytes),
                  (conn, buffer, nbytes))
ETL_LAZY_FUNCTION(pq, int, PQputCopyEnd, (PGconn * conn, const char* errormsg), (conn, errormsg))
ETL_LAZY_FUNCTION(pq, int, PQgetCopyData, (PGconn * conn, char** buffer, int async),
                  (conn, buffer, async))
ETL_LAZY_FUNCTION(pq, ExecStatusType, PQresultStatus, (const PGresult* res), (res))
ETL_LAZY_FUNCTION(pq, char*, PQresultErrorMessage, (const PGresult* res), (res))
ETL_LAZY_FUNCTION(pq, char*, PQresultErrorField, (const PGresult* res, int fieldcode),
                  (res, fieldcode))
ETL_LAZY_FUNCTION(pq, int, PQntuples, (const PGresult* res), (res))
ETL_LAZY_FUNCTION(pq, int, PQnfields, (const PGresult* res), (res))
ETL_LAZY_FUNCTION(pq, char*, PQfname, (const PGresult* res, int field_num), (res, field_num))
ETL_LAZY_FUNCTION(pq, Oid, PQftype, (const PGresult* res, int field_num), (res, field_num))
ETL_LAZY_FUNCTION(pq, char*, PQcmdTuples, (PGresult * res), (res))
ETL_LAZY_FUNCTION(pq, char*, PQgetvalue, (const PGresult* res, int tup_num, int field_num),
                  (res, tup_num, field_num))
ETL_LAZY_FUNCTION(pq, int, PQgetisnull, (const PGresult* res, int tup_num, int field_num),
                  (res, tup_num, field_num))
ETL_LAZY_FUNCTION(pq, void, PQclear, (PGresult * res), (res))
