package io.skiff.engine.transfer;

import io.skiff.engine.transport.HostPort;

import java.time.Duration;

/** What a following receiver pulls: the origin, the channel, and how long it waits between visits. */
public record FollowConfig(HostPort origin, String channel, Duration interval) {
}
