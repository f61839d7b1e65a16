// Umbrella header for the interviewkit::channels target: rendering notifications as email
// with iCalendar invites, and the channels that deliver them.
#pragma once

#include <interviewkit/channels/email_message.hpp>
#include <interviewkit/channels/file_notifier.hpp>
#include <interviewkit/channels/ics.hpp>
#include <interviewkit/channels/smtp_notifier.hpp>
#include <interviewkit/channels/templates.hpp>
#include <interviewkit/channels/webhook_notifier.hpp>
