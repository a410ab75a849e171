/**
 * The tamper-evident audit trail: append-only JSON lines, each record hash-chained to the one before it
 * ({@link io.skiff.engine.audit.AuditTrail}), checked end to end by {@link io.skiff.engine.audit.AuditVerifier}
 * and read back by {@link io.skiff.engine.audit.AuditRecords}. Knows files and JSON, not transfers: the
 * store, the sessions and the CLI's offline tools report what happened to it.
 */
package io.skiff.engine.audit;
