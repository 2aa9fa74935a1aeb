// The migration planner's dialect-neutral half: the changes from one contract to another.
#include <algorithm>
#include <cctype>

#include "strata/error.hpp"
#include "strata/schema.hpp"
#include "strata/schema_change.hpp"

namespace strata {
namespace {


std::string summary(const contract_column& c) {
    std::string s = std::string(to_string(c.type)) + (c.nullable ? " null" : " not null");
    if (c.unique) s += " unique";
    if (!c.default_sql.empty()) s += " default " + c.default_sql;
    if (!c.ref_table.empty()) s += " references " + c.ref_table + "(" + c.ref_column + ")";
    if (!c.on_delete.empty()) s += " on delete " + c.on_delete;
    return s;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

template <class V>
bool contains(const V& v, const typename V::value_type& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

contract_table* find_table(std::vector<contract_table>& ts, const std::string& n) {
    for (auto& t : ts)
        if (t.name == n) return &t;
    return nullptr;
}
const contract_table* find_table(const std::vector<contract_table>& ts, const std::string& n) {
    for (const auto& t : ts)
        if (t.name == n) return &t;
    return nullptr;
}
contract_column* find_column(contract_table& t, const std::string& n) {
    for (auto& c : t.columns)
        if (c.name == n) return &c;
    return nullptr;
}
const contract_index* find_index(const contract_table& t, const std::string& n) {
    for (const auto& i : t.indexes)
        if (i.name == n) return &i;
    return nullptr;
}
bool same_index(const contract_index& a, const contract_index& b) {
    return a.columns == b.columns && a.unique == b.unique && a.where_sql == b.where_sql;
}

std::vector<std::string> primary_key_of(const contract_table& t) {
    if (!t.primary_key.empty()) return t.primary_key;
    std::vector<std::string> out;
    for (const auto& c : t.columns)
        if (c.primary_key) out.push_back(c.name);
    return out;
}

[[noreturn]] void unsupported(const std::string& what) {
    throw error(std::string(codes::contract_unsupported_change),
                "The contract changes " + what +
                    ", which no migration step expresses. Add a new table (or column), copy the data with a SQL step "
                    "(migration_plan::add_sql_step), and drop the old one (declared).",
                {{"change", what}});
}

// Referenced tables before the tables that reference them; a cycle in name order.
std::vector<const contract_table*> creation_order(const std::vector<contract_table>& tables) {
    std::vector<const contract_table*> out;
    std::vector<std::string> done;
    auto ready = [&](const contract_table& t) {
        return std::all_of(t.columns.begin(), t.columns.end(), [&](const auto& col) {
            return col.ref_table.empty() || col.ref_table == t.name || contains(done, col.ref_table) ||
                   !find_table(tables, col.ref_table);
        });
    };
    while (out.size() < tables.size()) {
        bool progressed = false;
        for (const auto& t : tables) {
            if (contains(done, t.name) || !ready(t)) continue;
            out.push_back(&t);
            done.push_back(t.name);
            progressed = true;
        }
        if (!progressed) {  // a reference cycle: SQLite checks references lazily
            for (const auto& t : tables)
                if (!contains(done, t.name)) {
                    out.push_back(&t);
                    done.push_back(t.name);
                }
        }
    }
    return out;
}

class planner {
public:
    planner(const contract* from, const contract& to, const migration_declarations& d)
        : to_(to), declared_(d), work_(from ? from->tables() : std::vector<contract_table>{}) {}

    std::vector<schema_change> run() {
        rename_tables();
        for (const contract_table* target : creation_order(to_.tables())) {
            contract_table* t = find_table(work_, target->name);
            if (t == nullptr) {
                schema_change c{.kind = change_kind::create_table, .table = target->name};
                c.description = "create table " + target->name;
                c.after = *target;
                out_.push_back(std::move(c));
                work_.push_back(*target);
                continue;
            }
            diff_table(*t, *target);
        }
        std::vector<contract_table> gone;
        for (const auto& t : work_)
            if (!find_table(to_.tables(), t.name)) gone.push_back(t);
        auto order = creation_order(gone);
        for (auto it = order.rbegin(); it != order.rend(); ++it) {
            schema_change c{.kind = change_kind::drop_table, .table = (*it)->name, .destructive = true};
            c.description = "drop table " + (*it)->name;
            c.before = **it;
            drops_.push_back(std::move(c));
        }
        for (auto& c : drops_) out_.push_back(std::move(c));
        return std::move(out_);
    }

private:
    // Records a change to `t`, with `t` before and after `edit`.
    template <class Edit>
    void change(contract_table& t, schema_change c, Edit&& edit, bool deferred = false) {
        c.table = t.name;
        c.before = t;
        edit(t);
        c.after = t;
        (deferred ? drops_ : out_).push_back(std::move(c));
    }

    void rename_tables() {
        for (const auto& r : declared_.renames) {
            if (r.from.find('.') != std::string::npos || r.to.find('.') != std::string::npos) continue;
            contract_table* t = find_table(work_, r.from);
            if (!t || find_table(work_, r.to) || !find_table(to_.tables(), r.to)) continue;
            schema_change c{.kind = change_kind::rename_table, .name = r.from, .new_name = r.to};
            c.description = "rename table " + r.from + " to " + r.to;
            change(*t, std::move(c), [&](contract_table& x) { x.name = r.to; });
            for (auto& o : work_)
                for (auto& col : o.columns)
                    if (col.ref_table == r.from) col.ref_table = r.to;
        }
    }

    void rename_columns(contract_table& t, const contract_table& target) {
        const std::string prefix = target.name + ".";
        for (const auto& r : declared_.renames) {
            if (!r.from.starts_with(prefix) || !r.to.starts_with(prefix)) continue;
            const std::string old_name = r.from.substr(prefix.size()), new_name = r.to.substr(prefix.size());
            if (!find_column(t, old_name) || find_column(t, new_name)) continue;
            if (std::none_of(target.columns.begin(), target.columns.end(), [&](const auto& c) { return c.name == new_name; }))
                continue;
            schema_change c{.kind = change_kind::rename_column, .name = old_name, .new_name = new_name};
            c.description = "rename column " + t.name + "." + old_name + " to " + new_name;
            change(t, std::move(c), [&](contract_table& x) {
                auto swap = [&](std::string& n) {
                    if (n == old_name) n = new_name;
                };
                find_column(x, old_name)->name = new_name;
                for (auto& n : x.primary_key) swap(n);
                for (auto& u : x.unique)
                    for (auto& n : u) swap(n);
                for (auto& i : x.indexes)
                    for (auto& n : i.columns) swap(n);
            });
            for (auto& o : work_)
                for (auto& col : o.columns)
                    if (col.ref_table == t.name && col.ref_column == old_name) col.ref_column = new_name;
        }
    }

    void diff_table(contract_table& t, const contract_table& target) {
        rename_columns(t, target);
        if (primary_key_of(t) != primary_key_of(target))
            unsupported("the primary key of " + t.name + " (" + joined(primary_key_of(t)) + " -> " +
                        joined(primary_key_of(target)) + ")");
        for (std::size_t i = 0; i < t.indexes.size();) {
            const contract_index* wanted = find_index(target, t.indexes[i].name);
            if (wanted && same_index(*wanted, t.indexes[i])) {
                ++i;
                continue;
            }
            const std::string name = t.indexes[i].name;
            schema_change c{.kind = change_kind::drop_index, .name = name};
            c.description = "drop index " + name + " on " + t.name;
            change(t, std::move(c), [&](contract_table& x) { x.indexes.erase(x.indexes.begin() + static_cast<long>(i)); });
        }
        for (std::size_t i = 0; i < t.unique.size();) {
            if (contains(target.unique, t.unique[i])) {
                ++i;
                continue;
            }
            schema_change c{.kind = change_kind::drop_unique, .columns = t.unique[i]};
            c.description = "drop unique (" + joined(t.unique[i]) + ") on " + t.name;
            change(t, std::move(c), [&](contract_table& x) { x.unique.erase(x.unique.begin() + static_cast<long>(i)); });
        }
        for (const auto& wanted : target.columns) {
            contract_column* have = find_column(t, wanted.name);
            if (!have) continue;
            if (have->type != wanted.type)
                unsupported("the type of " + t.name + "." + wanted.name + " (" + std::string(to_string(have->type)) +
                            " -> " + std::string(to_string(wanted.type)) + ")");
            if (summary(*have) == summary(wanted)) continue;
            schema_change c{.kind = change_kind::alter_column, .name = wanted.name};
            c.description = "alter column " + t.name + "." + wanted.name + ": " + summary(*have) + " -> " + summary(wanted);
            change(t, std::move(c), [&](contract_table& x) {
                contract_column& col = *find_column(x, wanted.name);
                const bool pk = col.primary_key;
                col = wanted;
                col.primary_key = pk;
            });
        }
        for (const auto& wanted : target.columns) {
            if (find_column(t, wanted.name)) continue;
            schema_change c{.kind = change_kind::add_column, .name = wanted.name};
            c.description = "add column " + t.name + "." + wanted.name + " (" + summary(wanted) + ")";
            change(t, std::move(c), [&](contract_table& x) { x.columns.push_back(wanted); });
        }
        for (const auto& u : target.unique) {
            if (contains(t.unique, u)) continue;
            schema_change c{.kind = change_kind::add_unique, .columns = u};
            c.description = "add unique (" + joined(u) + ") on " + t.name;
            change(t, std::move(c), [&](contract_table& x) { x.unique.push_back(u); });
        }
        for (const auto& i : target.indexes) {
            if (find_index(t, i.name)) continue;
            schema_change c{.kind = change_kind::create_index, .name = i.name};
            c.description = "create index " + i.name + " on " + t.name + " (" + joined(i.columns) + ")";
            change(t, std::move(c), [&](contract_table& x) { x.indexes.push_back(i); });
        }
        // Columns the contract no longer has: last, after every addition.
        std::vector<std::string> gone;
        for (const auto& c : t.columns)
            if (std::none_of(target.columns.begin(), target.columns.end(), [&](const auto& w) { return w.name == c.name; }))
                gone.push_back(c.name);
        for (const auto& name : gone) {
            schema_change c{.kind = change_kind::drop_column, .name = name, .destructive = true};
            c.description = "drop column " + t.name + "." + name;
            change(
                t, std::move(c),
                [&](contract_table& x) {
                    x.columns.erase(std::find_if(x.columns.begin(), x.columns.end(), [&](const auto& col) { return col.name == name; }));
                },
                true);
        }
        t.columns = target.columns;  // the declared column order from here on
    }

    const contract& to_;
    const migration_declarations& declared_;
    std::vector<contract_table> work_;
    std::vector<schema_change> out_;
    std::vector<schema_change> drops_;
};

// Lower case outside quotes, casts ("::text", "::timestamp with time zone") removed,
// outer parentheses removed.
std::string comparable_sql(std::string_view s) {
    std::string out;
    bool quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\'') quoted = !quoted;
        if (!quoted && c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
            i += 2;
            while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == ' ' || s[i] == '"'))
                ++i;
            --i;
            continue;
        }
        out += quoted ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    auto trim = [](std::string& x) {
        while (!x.empty() && std::isspace(static_cast<unsigned char>(x.back()))) x.pop_back();
        while (!x.empty() && std::isspace(static_cast<unsigned char>(x.front()))) x.erase(x.begin());
    };
    trim(out);
    while (out.size() >= 2 && out.front() == '(' && out.back() == ')') {
        int depth = 0;
        bool wraps = true;
        for (std::size_t i = 0; i + 1 < out.size(); ++i) {
            depth += out[i] == '(' ? 1 : out[i] == ')' ? -1 : 0;
            if (depth == 0) wraps = false;
        }
        if (!wraps) break;
        out = out.substr(1, out.size() - 2);
        trim(out);
    }
    return out;
}

}  // namespace

std::vector<schema_change> diff_contracts(const contract* from, const contract& to, const migration_declarations& declared) {
    return planner(from, to, declared).run();
}

contract comparable_form(const contract& c) {
    std::vector<contract_table> tables = c.tables();
    for (auto& t : tables) {
        if (t.primary_key.size() == 1) {
            if (contract_column* col = find_column(t, t.primary_key.front())) col->primary_key = true;
            t.primary_key.clear();
        }
        std::vector<std::vector<std::string>> unique;
        for (auto& u : t.unique) {
            contract_column* col = u.size() == 1 ? find_column(t, u.front()) : nullptr;
            if (col) col->unique = true;
            else unique.push_back(u);
        }
        std::sort(unique.begin(), unique.end());
        t.unique = std::move(unique);
        for (auto& col : t.columns) {
            if (col.primary_key) col.unique = false;  // a primary key is unique already
            col.default_sql = comparable_sql(col.default_sql);
            std::transform(col.on_delete.begin(), col.on_delete.end(), col.on_delete.begin(),
                           [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
            if (col.on_delete == "NO ACTION") col.on_delete.clear();
        }
        for (auto& i : t.indexes) i.where_sql = comparable_sql(i.where_sql);
        std::sort(t.indexes.begin(), t.indexes.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    }
    return contract(std::move(tables));
}

}  // namespace strata
