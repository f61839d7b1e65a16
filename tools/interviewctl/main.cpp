// interviewctl: the operator's command line for an interviewkit database. See app.cpp.
#include "cli.hpp"

int main(int argc, char** argv) {
  return interviewctl::run(argc, argv);
}
