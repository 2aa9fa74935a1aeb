#include <gtest/gtest.h>

#include "../conformance/builder_schema.hpp"
#include "../support/expect_error.hpp"
#include "strata/contract.hpp"
#include "strata/sha256.hpp"

namespace strata {
namespace {

using namespace test::schema;

TEST(sha256, known_vectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(std::string(1000, 'a')).size(), 64u);
}

TEST(contract, canonical_form_is_order_independent_and_round_trips) {
    const contract a = make_contract<authors, posts>();
    const contract b = make_contract<posts, authors>();
    EXPECT_EQ(a.canonical_json(), b.canonical_json());
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_EQ(a.hash().substr(0, 7), "sha256:");
    const contract parsed = contract::from_json(a.canonical_json());
    EXPECT_EQ(parsed.hash(), a.hash());
    EXPECT_TRUE(parsed.differences(a).empty());
}

TEST(contract, the_hash_is_stable_across_builds) {
    // If this fails, the canonical form changed: every deployed database would report a
    // mismatch. Change it only with a format version bump.
    const contract c({contract_table{"t", {contract_column{"id", sql_type::integer, false, true}}}});
    EXPECT_EQ(c.canonical_json(),
              R"({"format":"strata.contract/1","tables":[{"name":"t","columns":[{"name":"id","type":"integer","nullable":false,"primary_key":true,"unique":false,"default":"","references":null}],"primary_key":[],"unique":[],"indexes":[]}]})");
    EXPECT_EQ(c.hash(), "sha256:" + sha256_hex(c.canonical_json()));
}

TEST(contract, invalid_contracts_are_refused) {
    EXPECT_STRATA_ERROR(contract({contract_table{"Bad Name", {contract_column{"id"}}}}), "CONTRACT.INVALID");
    EXPECT_STRATA_ERROR(contract({contract_table{"t", {}}}), "CONTRACT.INVALID");
    contract_column dangling{"x", sql_type::integer};
    dangling.ref_table = "nowhere";
    dangling.ref_column = "id";
    EXPECT_STRATA_ERROR(contract({contract_table{"t", {dangling}}}), "CONTRACT.INVALID");
    EXPECT_STRATA_ERROR(contract::from_json("{not json"), "CONTRACT.INVALID");
    EXPECT_STRATA_ERROR(contract::from_json(R"({"format":"other/9","tables":[]})"), "CONTRACT.INVALID");
}

}  // namespace
}  // namespace strata
