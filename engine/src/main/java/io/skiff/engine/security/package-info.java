/**
 * Who a node is and whom it trusts: the deployment's keys ({@link io.skiff.engine.security.DeploymentKeys}),
 * and, as issue 18 goes on, TLS contexts, identities and grants. Depends on no transfer package; the
 * send, receive, relay and follow packages will use it.
 */
package io.skiff.engine.security;
