#include <cstdio>
int main() { std::puts("rivulet"); return 0; }
