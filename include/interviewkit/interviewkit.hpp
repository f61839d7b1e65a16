// Umbrella header: the whole public API of the core interviewkit target.
#pragma once

#include <interviewkit/domain/clock.hpp>
#include <interviewkit/domain/email_address.hpp>
#include <interviewkit/domain/error.hpp>
#include <interviewkit/domain/ids.hpp>
#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/interview_id.hpp>
#include <interviewkit/domain/participant.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/domain/time_zone.hpp>
#include <interviewkit/domain/transition.hpp>
#include <interviewkit/version.hpp>
