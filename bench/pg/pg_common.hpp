// Shared pieces of the PostgreSQL benchmarks: the server (STRATA_PG_URL) and raw libpq
// helpers.
#pragma once

#include <libpq-fe.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace strata_bench {

// The server to measure against: scripts/pg run exports STRATA_PG_URL.
inline std::string pg_url() {
    const char* url = std::getenv("STRATA_PG_URL");
    if (url == nullptr || *url == '\0') {
        throw std::runtime_error("STRATA_PG_URL is not set: run through scripts/pg run (see bench/README.md)");
    }
    return url;
}

inline PGconn* pg_open(const std::string& url) {
    PGconn* c = PQconnectdb(url.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        throw std::runtime_error("could not connect to PostgreSQL");
    }
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    return c;
}

// Checks a result and clears it; throws with the server's message.
inline void pg_check(PGresult* r, const char* what) {
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_PIPELINE_SYNC) {
        const std::string msg = PQresultErrorMessage(r);
        PQclear(r);
        throw std::runtime_error(std::string(what) + ": " + msg);
    }
    PQclear(r);
}

inline void pg_exec(PGconn* c, const char* sql) {
    pg_check(PQexec(c, sql), sql);
}

}  // namespace strata_bench
