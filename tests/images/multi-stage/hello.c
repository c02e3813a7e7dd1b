/* The program the multi-stage test image builds in its builder stage. */
#include <stdio.h>

int main(void) {
    puts("hello from a multi-stage build");
    return 0;
}
