#include "pg_database.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <random>
#include <stdexcept>

namespace strata::test {

std::string pg_url_or_skip() { return pg_env_url_or_skip("STRATA_PG_URL"); }

std::string pg_env_url_or_skip(const std::string& variable) {
    const char* url = std::getenv(variable.c_str());
    if (url != nullptr && *url != '\0') return url;
    const char* required = std::getenv("STRATA_REQUIRE_PG");
    if (required != nullptr && std::string(required) == "1") {
        ADD_FAILURE() << "STRATA_REQUIRE_PG=1 but " << variable
                      << " is not set: run the tests through `scripts/pg run --clusters 3 --replica -- ...` "
                         "(scripts/test does).";
    } else {
        // GTEST_SKIP() needs a void function; this records the same skip.
        const std::string why = variable + " is not set (run through scripts/pg run)";
        GTEST_MESSAGE_(why.c_str(), ::testing::TestPartResult::kSkip);
    }
    return {};
}

std::string pg_url_with(const std::string& url, const std::string& key, const std::string& value) {
    std::string encoded;
    for (unsigned char c : value) {
        if (std::isalnum(c) || c == '_' || c == '-' || c == '.') {
            encoded += static_cast<char>(c);
        } else {
            static const char* hex = "0123456789ABCDEF";
            encoded += '%';
            encoded += hex[c >> 4];
            encoded += hex[c & 15];
        }
    }
    return url + (url.find('?') == std::string::npos ? "?" : "&") + key + "=" + encoded;
}

PGconn* pg_connect(const std::string& url) {
    PGconn* conn = PQconnectdb(url.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        throw std::runtime_error("test could not connect to PostgreSQL");
    }
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    return conn;
}

std::string pg_exec(PGconn* conn, const std::string& sql) {
    PGresult* res = PQexec(conn, sql.c_str());
    const ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const std::string message = PQresultErrorMessage(res);
        PQclear(res);
        throw std::runtime_error("test SQL failed: " + message);
    }
    std::string out = (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0) ? PQgetvalue(res, 0, 0) : "";
    PQclear(res);
    return out;
}

pg_schema::pg_schema(std::string base_url) : base_url_(std::move(base_url)) {
    static std::atomic<int> counter{0};
    std::random_device rd;
    name_ =
        "strata_t" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" + std::to_string(rd() % 100000);
    admin_ = pg_connect(base_url_);
    pg_exec(admin_, "CREATE SCHEMA " + name_);
    url_ = pg_url_with(base_url_, "options", "-csearch_path=" + name_);
}

pg_schema::~pg_schema() {
    try {
        pg_exec(admin_, "DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
    } catch (...) {  // a leftover schema in a throwaway cluster is harmless
    }
    PQfinish(admin_);
}

}  // namespace strata::test
