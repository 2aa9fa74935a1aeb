// The small, named set of statements that differ between SQLite and PostgreSQL. Every
// other statement relay runs is the same text on both (the PostgreSQL adapter renumbers
// the `?` placeholders).
#pragma once

#include <optional>
#include <strata/sql.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"

namespace relay {

class dialect_queries {
public:
    explicit dialect_queries(dialect d);

    // The delivery claim of a send (engine/message_writes.cpp): each recipient's
    // delivery_seq + 1 and delivery_claim = the message. Parameters: message id, the
    // audience (channel id | conversation id | agent id and workspace id), the sender.
    [[nodiscard]] const strata::sql_template& claim_channel_members() const { return claim_channel_; }
    [[nodiscard]] const strata::sql_template& claim_conversation_participants() const { return claim_conversation_; }
    [[nodiscard]] const strata::sql_template& claim_one_agent() const { return claim_one_; }

    // PostgreSQL only (nullopt on SQLite, which has one writer): a statement before the
    // claim that locks the recipients' rows in id order (FOR NO KEY UPDATE, which the
    // senders' foreign-key checks do not conflict with), so sends to overlapping
    // audiences queue in one order instead of deadlocking. Locking in the claim itself
    // (a FOR UPDATE subquery of the UPDATE) still deadlocked: the UPDATE's older snapshot
    // re-locks the rows the subquery waited for. Parameters: the audience, the sender.
    [[nodiscard]] const std::optional<strata::sql_template>& lock_channel_members() const { return lock_channel_; }
    [[nodiscard]] const std::optional<strata::sql_template>& lock_conversation_participants() const {
        return lock_conversation_;
    }
    // PostgreSQL only: the first statement of a send to a channel or conversation locks
    // its channel row, so sends to one audience form one queue on one row instead of a
    // convoy over all its members' rows. Parameter: the channel id.
    [[nodiscard]] const std::optional<strata::sql_template>& lock_channel() const { return lock_channel_row_; }

    // Full-text search over the messages of `channels` channels of a workspace: a
    // SELECT ... WHERE for the caller to order and page (the columns of message_columns(),
    // engine/message_store.hpp). Parameters: search_parameters().
    [[nodiscard]] std::string search_messages(std::size_t channels) const;
    [[nodiscard]] std::vector<strata::value> search_parameters(const std::string& match, std::int64_t workspace_id,
                                                               const std::vector<std::int64_t>& channel_ids) const;

    // A text expression compared and ordered by its bytes, the order strata::split's
    // keyset merge assumes: SQLite's BINARY collation, PostgreSQL's "C" (the database's
    // default collation may be a locale's, which orders 'B' after 'a' and skips '-').
    [[nodiscard]] std::string in_byte_order(std::string_view expression) const;

    // The user's words as the dialect's match expression: SQLite FTS5 gets each word
    // quoted (so operators and punctuation are plain text, never a syntax error);
    // PostgreSQL takes the text as is (plainto_tsquery). Empty when there is no word.
    [[nodiscard]] std::string match_text(std::string_view user_text) const;

private:
    dialect dialect_;
    strata::sql_template claim_channel_;
    strata::sql_template claim_conversation_;
    strata::sql_template claim_one_;
    std::optional<strata::sql_template> lock_channel_;
    std::optional<strata::sql_template> lock_conversation_;
    std::optional<strata::sql_template> lock_channel_row_;
};

}  // namespace relay
