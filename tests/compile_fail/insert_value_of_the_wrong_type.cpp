// expect: values\(\): a value does not match its column's type
#include "common.hpp"
int main() {
    auto q = insert_into<authors>(authors::id, authors::name).values(1, 2);
    (void)q;
}
