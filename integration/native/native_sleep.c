// A static native sleeper for the runc comparison: sleeps for the seconds given as its first
// argument (forever without one), like the Wasm integ_sleep fixture.
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long seconds = argc > 1 ? atol(argv[1]) : -1;
  if (seconds < 0) for (;;) pause();
  sleep((unsigned)seconds);
  return 0;
}
