// expect: where\(\): the condition reads a table other than this collection's
#include "orm_common.hpp"
void use(const runtime& db) { (void)orm::collection<posts>(db).where(authors::name == "ann"); }
int main() {}
