package io.skiff.engine.api;


import java.time.Duration;

/**
 * What a following receiver pulls: the origin and the channel.
 *
 * @param interval the wait before visiting again after a failed visit, and the longest one visit asks
 *                 the origin to wait for a new release (see {@code io.skiff.engine.follow.Follower})
 */
public record FollowConfig(HostPort origin, String channel, Duration interval) {
}
