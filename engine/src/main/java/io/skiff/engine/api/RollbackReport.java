package io.skiff.engine.api;

/**
 * What {@code skiff rollback} did: {@code channel} switched from one release to a retained one.
 *
 * @param fromVersion the release that was current; {@code fromId} its id (hex)
 * @param toVersion   the retained release now current; {@code toId} its id (hex)
 */
public record RollbackReport(String channel, String fromVersion, String fromId, String toVersion, String toId) {
}
