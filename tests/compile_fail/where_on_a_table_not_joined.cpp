// expect: where\(\): the condition reads a table that is not in this query
#include "common.hpp"
int main() {
    auto q = from<posts>().select(posts::title).where(tags::id == 1);
    (void)q;
}
