// A static native hello world for the runc comparison: prints a line and exits with the code
// given as its first argument (0 without one), like the Wasm integ_hello fixture.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  printf("Hello from a native container\n");
  return argc > 1 ? atoi(argv[1]) : 0;
}
