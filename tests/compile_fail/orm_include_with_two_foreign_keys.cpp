// expect: more than one foreign key between the two tables
// reviews references authors twice (author_id, reviewer_id): the include must name one.
#include "orm_common.hpp"
void use(const runtime& db) { (void)orm::collection<authors>(db).include<reviews>(); }
int main() {}
