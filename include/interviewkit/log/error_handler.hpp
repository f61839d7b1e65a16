// ErrorHandler: how the library reports failures that have no caller to return them to.
//
// A Result reaches the caller that asked; a background delivery pass, or a sink that refused
// an entry after the booking committed, has nobody to return to. Those failures go to the
// host's ErrorHandler, set in the options of the component (ActionLogOptions::on_error,
// DispatcherOptions::on_error). The library never writes to the host's loggers unasked.
#pragma once

#include <functional>
#include <string>

#include <interviewkit/export.hpp>

namespace interviewkit {

/// Receives one line describing a failure. May be called from any thread the library owns
/// (the dispatcher's background thread included), so it must be thread-safe. It should not
/// throw; if it does, the exception is swallowed and the line goes to the default handler.
using ErrorHandler = std::function<void(const std::string& message)>;

/// The default handler: writes "interviewkit: <message>" as one line to stderr. Never
/// throws, allocates nothing.
INTERVIEWKIT_EXPORT void report_to_stderr(const std::string& message) noexcept;

/// Calls `handler`, or report_to_stderr when it is empty or throws. Never throws.
INTERVIEWKIT_EXPORT void report_error(const ErrorHandler& handler,
                                      const std::string& message) noexcept;

}  // namespace interviewkit
