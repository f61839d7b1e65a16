# Warnings (as errors) and sanitizers apply to interviewkit's own targets only, never to
# the dependencies' headers (found as SYSTEM includes) or to a host project.
function(interviewkit_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    -Wimplicit-fallthrough
    # Option structs are meant to be filled with designated initializers naming only what
    # differs from the defaults.
    -Wno-missing-field-initializers)
  if(INTERVIEWKIT_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(INTERVIEWKIT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${INTERVIEWKIT_SANITIZE}
      -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${INTERVIEWKIT_SANITIZE})
  endif()
endfunction()
