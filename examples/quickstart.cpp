// strata quickstart: a guided tour of the library on a real SQLite file.
//
//   strata_quickstart [PATH]        PATH defaults to ./data/quickstart.db
//
// Each step prints what it did, so the output reads as a walkthrough. Running it again
// starts over: the program drops and recreates its own table (and touches nothing else).
#include <cstdint>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <strata/sqlite.hpp>
#include <strata/strata.hpp>

namespace {

void step(int n, std::string_view title) { std::cout << '\n' << n << ". " << title << '\n'; }

// One indented line made of the given parts.
template <class... Parts>
void say(const Parts&... parts) {
    std::cout << "   ";
    (std::cout << ... << parts);
    std::cout << '\n';
}

struct person {
    std::string email;
    std::string name;
    std::optional<std::int64_t> age;  // NULL in the database when unknown
};

void run(const std::filesystem::path& path) {
    std::cout << "strata quickstart: a walk through the library on " << path.string() << '\n';

    step(1, "Build a runtime from the SQLite stack");
    strata::runtime db = strata::instantiate(strata::sqlite::make_stack());
    say("instantiate() reads no environment and opens nothing.");
    say("driver state: ", strata::to_string(db.state()));

    step(2, "Connect it to a database file");
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    db.connect(strata::sqlite::file{path.string()});
    say("connect() chose the binding: sqlite::file{", path, "} (created if missing).");
    say("driver state: ", strata::to_string(db.state()));

    step(3, "Create a table");
    db.execute(strata::sql("DROP TABLE IF EXISTS people")).drain();
    db.execute(strata::sql("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, "
                           "name TEXT NOT NULL, age INTEGER)"))
        .drain();
    say("people(id, email UNIQUE, name, age); a copy left by an earlier run was dropped first.");
    say("execute() is lazy: drain() is what runs a statement whose rows we do not need.");

    step(4, "Write a few rows with bound parameters");
    const strata::sql_template insert("INSERT INTO people (email, name, age) VALUES (?, ?, ?)");
    for (const person& p : {person{"ann@example.com", "Ann", 34}, person{"bob@example.com", "Bob", std::nullopt},
                            person{"cho@example.com", "Cho", 27}}) {
        db.execute(insert.bind(p.email, p.name, p.age)).drain();
        say("inserted ", p.name, " <", p.email, ">");
    }
    say("The SQL text was checked once; values travel as parameters, never spliced into it.");

    step(5, "Read them back");
    for (const strata::row& r : db.execute(strata::sql("SELECT id, name, email, age FROM people ORDER BY id"))) {
        const auto age = r.get<std::optional<std::int64_t>>("age");
        say("#", r.get<std::int64_t>("id"), "  ", r.get<std::string>("name"), "  ", r.get<std::string>("email"),
            "  age ", age ? std::to_string(*age) : "unknown (NULL)");
    }
    const auto adults =
        db.execute(strata::sql("SELECT count(*) FROM people WHERE age >= ?", 18)).one_as<std::int64_t>();
    say("people with a known age of 18 or more: ", adults, " (one_as<T>() reads a single value)");

    step(6, "Catch an error by its code");
    try {
        db.execute(insert.bind("ann@example.com", "Another Ann", 41)).drain();
        say("unexpected: the duplicate email was accepted");
    } catch (const strata::error& e) {
        say("inserting ann@example.com again failed, as it should:");
        say("  code:     ", e.code());
        say("  sqlstate: ", e.sql() ? e.sql()->sqlstate : std::string("-"));
        say("  message:  ", e.message());
        say("Match on e.code() (stable), not on the message text.");
    }

    step(7, "A result is read once");
    strata::result_stream names = db.execute(strata::sql("SELECT name FROM people"));
    say("read ", names.all().size(), " names with all()");
    try {
        (void)names.all();
    } catch (const strata::error& e) {
        say("reading the same result again: ", e.code());
    }

    step(8, "Close");
    db.close();
    say("driver state: ", strata::to_string(db.state()), "; the rows stay in ", path.string());
}

}  // namespace

int main(int argc, char** argv) {
    const std::filesystem::path path = argc > 1 ? argv[1] : "./data/quickstart.db";
    try {
        run(path);
        return 0;
    } catch (const strata::error& e) {
        std::cerr << "quickstart failed: " << e.describe() << '\n';
    } catch (const std::exception& e) {
        std::cerr << "quickstart failed: " << e.what() << '\n';
    }
    return 1;
}
