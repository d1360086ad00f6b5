#include "cli/app.h"

int main(int argc, char** argv) { return thrad::RunApp(argc, argv); }
