#pragma once

namespace thrad {

// Parses the command line, runs the chosen subcommand and returns the process exit code:
// 0 on success, 1 when the command failed (one "error: ..." line on stderr), 2 for a usage
// error. No exception escapes.
//
// Convention for subcommands (Register*Command(CLI::App& root)): the callback reports a
// failure with FailCommand() from cli/command_support.h, which prints the message and
// unwinds to RunApp with the exit code.
int RunApp(int argc, char** argv);

}  // namespace thrad
