// Entry point of the tachyon appliance binary: hands the command line to the CLI.
#include "tachyon/controlplane/cli.h"

int main(int argc, char** argv) { return tachyon::controlplane::run_cli(argc, argv); }
