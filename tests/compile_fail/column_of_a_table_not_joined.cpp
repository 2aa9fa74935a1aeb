// expect: select\(\): a column belongs to a table that is not in this query
#include "common.hpp"
int main() {
    auto q = from<posts>().select(posts::title, authors::name);
    (void)q;
}
