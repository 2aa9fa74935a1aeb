// expect: no foreign key between the two tables
// tags has no foreign key to authors and authors none to tags: nothing to include.
#include "orm_common.hpp"
void use(const runtime& db) { (void)orm::collection<authors>(db).include<tags>(); }
int main() {}
