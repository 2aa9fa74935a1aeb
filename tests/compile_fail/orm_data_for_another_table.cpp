// expect: orm::data<T>: set\(\) names a column of another table
#include "orm_common.hpp"
void use(const runtime& db) { (void)orm::collection<posts>(db).create({set(posts::id, 1), set(authors::name, "ann")}); }
int main() {}
