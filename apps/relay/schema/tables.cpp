// The tables, named as in the reference engine. Ids are 64-bit integers minted by the
// application (snowflakes) except for conversation and delivery ids, which are text
// derived from other ids. Timestamps are integer milliseconds since the Unix epoch.
#include "schema/schema.hpp"

namespace relay::schema::detail {

std::vector<std::string> common_tables_v1() {
    return {
        R"(CREATE TABLE workspaces (
            id {pk},
            name TEXT NOT NULL,
            api_key_hash TEXT NOT NULL UNIQUE,
            created_at {bigint} NOT NULL))",

        // delivery_seq: the per-agent delivery sequence high-water mark. delivery_claim:
        // the message whose delivery statement may read delivery_seq (see
        // engine/message_writes.cpp: the claim and the insert select the same agents).
        R"(CREATE TABLE agents (
            id {pk},
            workspace_id {bigint} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            type TEXT NOT NULL DEFAULT 'agent',
            token_hash TEXT NOT NULL UNIQUE,
            previous_token_hash TEXT,
            previous_token_expires_at {bigint},
            delivery_seq {bigint} NOT NULL DEFAULT 0,
            delivery_claim {bigint},
            created_at {bigint} NOT NULL,
            UNIQUE (workspace_id, name)))",
        "CREATE INDEX agents_previous_token ON agents(previous_token_hash)",
        "CREATE INDEX agents_delivery_claim ON agents(delivery_claim)",

        // channel_type: 0 channel, 1 one-to-one DM, 2 group DM (DMs live in hidden channels).
        R"(CREATE TABLE channels (
            id {pk},
            workspace_id {bigint} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            channel_type INTEGER NOT NULL DEFAULT 0,
            topic TEXT,
            created_by {bigint},
            created_at {bigint} NOT NULL,
            UNIQUE (workspace_id, name)))",

        R"(CREATE TABLE channel_members (
            channel_id {bigint} NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            agent_id {bigint} NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            role TEXT NOT NULL DEFAULT 'member',
            joined_at {bigint} NOT NULL,
            last_read_id {bigint},
            PRIMARY KEY (channel_id, agent_id)))",
        "CREATE INDEX channel_members_agent ON channel_members(agent_id)",

        // thread_id: the root message of a thread (threads are one level deep).
        R"(CREATE TABLE messages (
            id {pk},
            workspace_id {bigint} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            channel_id {bigint} NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
            agent_id {bigint} NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            thread_id {bigint} REFERENCES messages(id) ON DELETE CASCADE,
            body TEXT NOT NULL,
            mentions TEXT NOT NULL DEFAULT '[]',
            metadata TEXT,
            has_attachments INTEGER NOT NULL DEFAULT 0,
            created_at {bigint} NOT NULL))",
        "CREATE INDEX messages_channel ON messages(channel_id, id)",
        "CREATE INDEX messages_thread ON messages(thread_id, id)",
        "CREATE INDEX messages_workspace ON messages(workspace_id, id)",

        R"(CREATE TABLE message_logs (
            id {pk},
            workspace_id {bigint} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            message_id {bigint} NOT NULL UNIQUE REFERENCES messages(id) ON DELETE CASCADE,
            channel_id {bigint} NOT NULL,
            agent_id {bigint} NOT NULL,
            conversation_id TEXT,
            delivery_kind TEXT NOT NULL,
            body TEXT NOT NULL,
            attachment_count INTEGER NOT NULL,
            mention_count INTEGER NOT NULL,
            created_at {bigint} NOT NULL))",
        "CREATE INDEX message_logs_workspace ON message_logs(workspace_id, id)",

        // One row per recipient: status queued -> delivered -> acked; reason message |
        // mention | thread-reply | dm; seq gapless per agent.
        R"(CREATE TABLE deliveries (
            id TEXT PRIMARY KEY,
            workspace_id {bigint} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            message_id {bigint} NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            agent_id {bigint} NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            reason TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'queued',
            seq {bigint} NOT NULL,
            created_at {bigint} NOT NULL,
            delivered_at {bigint},
            acked_at {bigint},
            updated_at {bigint} NOT NULL,
            UNIQUE (message_id, agent_id),
            UNIQUE (workspace_id, agent_id, seq)))",
        "CREATE INDEX deliveries_agent_status ON deliveries(agent_id, status, seq)",

        R"(CREATE TABLE read_receipts (
            message_id {bigint} NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            agent_id {bigint} NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            read_at {bigint} NOT NULL,
            PRIMARY KEY (message_id, agent_id)))",

        R"(CREATE TABLE files (
            id {pk},
            workspace_id {bigint} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            uploaded_by {bigint},
            filename TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size_bytes {bigint} NOT NULL,
            storage_key TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at {bigint} NOT NULL))",

        R"(CREATE TABLE message_attachments (
            message_id {bigint} NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            file_id {bigint} NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            PRIMARY KEY (message_id, file_id)))",

        // dm_type '1:1' | 'group'. A one-to-one id is derived from the pair, so it is stable.
        R"(CREATE TABLE dm_conversations (
            id TEXT PRIMARY KEY,
            workspace_id {bigint} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            channel_id {bigint} NOT NULL UNIQUE REFERENCES channels(id) ON DELETE CASCADE,
            dm_type TEXT NOT NULL,
            name TEXT,
            created_at {bigint} NOT NULL))",

        R"(CREATE TABLE dm_participants (
            conversation_id TEXT NOT NULL REFERENCES dm_conversations(id) ON DELETE CASCADE,
            agent_id {bigint} NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            joined_at {bigint} NOT NULL,
            left_at {bigint},
            last_read_id {bigint},
            PRIMARY KEY (conversation_id, agent_id)))",
        "CREATE INDEX dm_participants_agent ON dm_participants(agent_id)",

        // Idempotency-Key records, written in the same atomic unit as the message they
        // created, holding the response a replay returns.
        R"(CREATE TABLE idempotency_keys (
            workspace_id {bigint} NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            actor_id {bigint} NOT NULL,
            scope TEXT NOT NULL,
            key_hash TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            status_code INTEGER NOT NULL,
            response TEXT NOT NULL,
            created_at {bigint} NOT NULL,
            PRIMARY KEY (workspace_id, actor_id, scope, key_hash)))",
    };
}

}  // namespace relay::schema::detail
