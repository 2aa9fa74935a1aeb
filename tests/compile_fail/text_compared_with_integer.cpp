// expect: no match for 'operator=='|constraints not satisfied|no operator "=="
#include "common.hpp"
int main() {
    auto q = from<authors>().select(authors::id).where(authors::name == 42);
    (void)q;
}
