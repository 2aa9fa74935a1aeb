// expect: COMPILES
// The ORM control case: correct collections compile, so the ORM failures fail for their own reason.
#include "orm_common.hpp"
void use(const runtime& db) {
    const orm::collection<authors> people(db);
    (void)people.include<posts>().include<reviews, reviews::reviewer_id>().keyset(authors::name, authors::id).take(2);
    (void)orm::collection<posts>(db).where(posts::likes > 3).include<authors>();
    (void)orm::data<posts>{set(posts::title, "x"), set(posts::likes, 1)};
}
int main() {}
