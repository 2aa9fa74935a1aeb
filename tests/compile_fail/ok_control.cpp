// expect: COMPILES
// The control case: a correct query compiles, so the failures below fail for their own reason.
#include "common.hpp"
int main() {
    auto q = from<posts>().join<authors>(posts::author_id == authors::id).select(posts::title, authors::name).where(authors::name == "ann");
    auto u = update<posts>().set(posts::likes, 3).where(posts::id == 1);
    (void)q;
    (void)u;
}
