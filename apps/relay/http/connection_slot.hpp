// One open connection counted against --max-connections. The HTTP session holds it and
// hands it to the WebSocket session after an upgrade, so the count covers both.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace relay::http {

class connection_slot {
public:
    connection_slot() = default;
    explicit connection_slot(std::atomic<std::int64_t>& open) noexcept : open_(&open) { ++open; }
    connection_slot(connection_slot&& other) noexcept : open_(std::exchange(other.open_, nullptr)) {}
    connection_slot& operator=(connection_slot&& other) noexcept {
        if (this != &other) {
            release();
            open_ = std::exchange(other.open_, nullptr);
        }
        return *this;
    }
    connection_slot(const connection_slot&) = delete;
    connection_slot& operator=(const connection_slot&) = delete;
    ~connection_slot() { release(); }

private:
    void release() noexcept {
        if (open_ != nullptr) --*open_;
        open_ = nullptr;
    }
    std::atomic<std::int64_t>* open_ = nullptr;
};

}  // namespace relay::http
