#pragma once

namespace c10k {

// SIGINT and SIGTERM set a flag and make a pipe readable, so an event loop can
// watch StopSignalFd() like any other descriptor and wake at once, and a loop
// that only polls can check StopRequested(). SIGPIPE is ignored: a peer that
// resets must never kill the process. Call once, early in main.
void InstallStopSignalHandlers();

bool StopRequested();

// The read end of the self-pipe; readable (and stays readable) after a stop
// signal. Never read from it: every loop that watches it must see it.
int StopSignalFd();

// Makes StopRequested() true and the pipe readable, as a signal would (for
// tests and for ending a run from inside the program).
void RequestStop();

}  // namespace c10k
