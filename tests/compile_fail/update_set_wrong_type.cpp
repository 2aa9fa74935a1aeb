// expect: no matching function for call to 'set|constraints not satisfied
#include "common.hpp"
int main() {
    auto q = update<posts>().set(posts::likes, "many");
    (void)q;
}
