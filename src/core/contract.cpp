#include "strata/contract.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "strata/error.hpp"
#include "strata/sha256.hpp"

namespace strata {
namespace {

[[noreturn]] void invalid(const std::string& what) {
    throw error(std::string(codes::contract_invalid), "The contract is invalid: " + what + ".", {{"problem", what}});
}

void check_name(std::string_view kind, const std::string& name) {
    bool ok = !name.empty() && name.size() <= 63 && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (char c : name)
        ok = ok && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) invalid(std::string(kind) + " name '" + name + "' is not a plain lower-case identifier");
}

const std::vector<std::pair<sql_type, std::string_view>> type_names = {
    {sql_type::integer, "integer"}, {sql_type::real, "real"},     {sql_type::text, "text"}, {sql_type::bytes, "blob"},
    {sql_type::boolean, "boolean"}, {sql_type::time, "timestamp"}, {sql_type::json, "json"}};

std::string_view type_name(sql_type t) {
    for (const auto& [k, n] : type_names)
        if (k == t) return n;
    return "text";
}
sql_type type_from(const std::string& n) {
    for (const auto& [k, name] : type_names)
        if (name == n) return k;
    invalid("unknown column type '" + n + "'");
}

nlohmann::ordered_json to_json(const contract_table& t) {
    nlohmann::ordered_json cols = nlohmann::ordered_json::array();
    for (const auto& c : t.columns) {
        nlohmann::ordered_json j;
        j["name"] = c.name;
        j["type"] = type_name(c.type);
        j["nullable"] = c.nullable;
        j["primary_key"] = c.primary_key;
        j["unique"] = c.unique;
        j["default"] = c.default_sql;
        j["references"] = c.ref_table.empty() ? nlohmann::ordered_json(nullptr)
                                              : nlohmann::ordered_json{{"table", c.ref_table},
                                                                       {"column", c.ref_column},
                                                                       {"on_delete", c.on_delete}};
        cols.push_back(std::move(j));
    }
    nlohmann::ordered_json idx = nlohmann::ordered_json::array();
    for (const auto& i : t.indexes)
        idx.push_back({{"name", i.name}, {"columns", i.columns}, {"unique", i.unique}, {"where", i.where_sql}});
    nlohmann::ordered_json j;
    j["name"] = t.name;
    j["columns"] = std::move(cols);
    j["primary_key"] = t.primary_key;
    j["unique"] = t.unique;
    j["indexes"] = std::move(idx);
    return j;
}

contract_table table_from(const nlohmann::json& j) {
    contract_table t;
    t.name = j.at("name").get<std::string>();
    for (const auto& c : j.at("columns")) {
        contract_column col;
        col.name = c.at("name").get<std::string>();
        col.type = type_from(c.at("type").get<std::string>());
        col.nullable = c.at("nullable").get<bool>();
        col.primary_key = c.at("primary_key").get<bool>();
        col.unique = c.at("unique").get<bool>();
        col.default_sql = c.at("default").get<std::string>();
        if (const auto& r = c.at("references"); !r.is_null()) {
            col.ref_table = r.at("table").get<std::string>();
            col.ref_column = r.at("column").get<std::string>();
            col.on_delete = r.at("on_delete").get<std::string>();
        }
        t.columns.push_back(std::move(col));
    }
    t.primary_key = j.at("primary_key").get<std::vector<std::string>>();
    t.unique = j.at("unique").get<std::vector<std::vector<std::string>>>();
    for (const auto& i : j.at("indexes"))
        t.indexes.push_back({i.at("name").get<std::string>(), i.at("columns").get<std::vector<std::string>>(),
                             i.at("unique").get<bool>(), i.at("where").get<std::string>()});
    return t;
}

std::string describe_column(const contract_column& c) {
    std::string s = std::string(type_name(c.type)) + (c.nullable ? " null" : " not null");
    if (c.primary_key) s += " primary key";
    if (c.unique) s += " unique";
    if (!c.default_sql.empty()) s += " default " + c.default_sql;
    if (!c.ref_table.empty()) s += " references " + c.ref_table + "(" + c.ref_column + ")";
    return s;
}

}  // namespace

contract::contract(std::vector<contract_table> tables) : tables_(std::move(tables)) {
    std::sort(tables_.begin(), tables_.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (std::size_t i = 0; i < tables_.size(); ++i) {
        const contract_table& t = tables_[i];
        check_name("table", t.name);
        if (i > 0 && tables_[i - 1].name == t.name) invalid("table '" + t.name + "' is declared twice");
        if (t.columns.empty()) invalid("table '" + t.name + "' has no columns");
        auto has_column = [&](const std::string& n) {
            return std::any_of(t.columns.begin(), t.columns.end(), [&](const auto& c) { return c.name == n; });
        };
        for (const auto& c : t.columns) check_name("column", c.name);
        for (const auto& n : t.primary_key)
            if (!has_column(n)) invalid("primary key of '" + t.name + "' names unknown column '" + n + "'");
        for (const auto& u : t.unique)
            for (const auto& n : u)
                if (!has_column(n)) invalid("unique constraint of '" + t.name + "' names unknown column '" + n + "'");
        for (const auto& ix : t.indexes) {
            check_name("index", ix.name);
            for (const auto& n : ix.columns)
                if (!has_column(n)) invalid("index '" + ix.name + "' names unknown column '" + n + "'");
        }
    }
    for (const auto& t : tables_) {
        for (const auto& c : t.columns) {
            if (c.ref_table.empty()) continue;
            const auto target = std::find_if(tables_.begin(), tables_.end(), [&](const auto& x) { return x.name == c.ref_table; });
            if (target == tables_.end())
                invalid("column '" + t.name + "." + c.name + "' references table '" + c.ref_table + "', not in the contract");
        }
    }
    nlohmann::ordered_json j;
    j["format"] = "strata.contract/1";
    j["tables"] = nlohmann::ordered_json::array();
    for (const auto& t : tables_) j["tables"].push_back(to_json(t));
    json_ = j.dump();
    hash_ = "sha256:" + sha256_hex(json_);
}

contract contract::from_json(std::string_view json) {
    const auto j = nlohmann::json::parse(json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) invalid("the text is not a JSON object");
    if (j.value("format", "") != "strata.contract/1") invalid("unknown format (expected strata.contract/1)");
    std::vector<contract_table> tables;
    try {
        for (const auto& t : j.at("tables")) tables.push_back(table_from(t));
    } catch (const nlohmann::json::exception& e) {
        invalid(std::string("malformed JSON contract: ") + e.what());
    }
    return contract(std::move(tables));
}

std::string contract::pretty_json() const { return nlohmann::ordered_json::parse(json_).dump(2) + "\n"; }

std::vector<std::string> contract::differences(const contract& other) const {
    std::vector<std::string> out;
    auto find = [](const std::vector<contract_table>& ts, const std::string& n) -> const contract_table* {
        for (const auto& t : ts)
            if (t.name == n) return &t;
        return nullptr;
    };
    for (const auto& t : tables_)
        if (!find(other.tables_, t.name)) out.push_back("table " + t.name + ": declared, missing from the database");
    for (const auto& o : other.tables_) {
        const contract_table* t = find(tables_, o.name);
        if (!t) {
            out.push_back("table " + o.name + ": in the database, not declared");
            continue;
        }
        for (const auto& c : t->columns) {
            const auto it = std::find_if(o.columns.begin(), o.columns.end(), [&](const auto& x) { return x.name == c.name; });
            if (it == o.columns.end()) out.push_back("column " + t->name + "." + c.name + ": declared, missing from the database");
            else if (describe_column(*it) != describe_column(c))
                out.push_back("column " + t->name + "." + c.name + ": " + describe_column(*it) + " -> " + describe_column(c));
        }
        for (const auto& c : o.columns)
            if (std::none_of(t->columns.begin(), t->columns.end(), [&](const auto& x) { return x.name == c.name; }))
                out.push_back("column " + o.name + "." + c.name + ": in the database, not declared");
        if (to_json(*t)["indexes"] != to_json(o)["indexes"]) out.push_back("table " + o.name + ": indexes differ");
        if (t->primary_key != o.primary_key || t->unique != o.unique)
            out.push_back("table " + o.name + ": table constraints differ");
    }
    return out;
}

}  // namespace strata
