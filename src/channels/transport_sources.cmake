target_sources(interviewkit_channels PRIVATE
)
