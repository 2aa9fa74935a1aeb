// expect: keyset\(\): key columns must be NOT NULL
// NULL compares as unknown: a keyset cursor over a nullable column would skip rows.
#include "orm_common.hpp"
void use(const runtime& db) { (void)orm::collection<authors>(db).keyset(authors::bio, authors::id); }
int main() {}
