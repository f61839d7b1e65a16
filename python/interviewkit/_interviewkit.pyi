# Type stubs of interviewkit._interviewkit: written in the next change, with a test that
# checks them against the compiled module.
