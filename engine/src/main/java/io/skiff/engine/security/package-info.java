/**
 * Who a node is and whom it trusts: the deployment's keys ({@link io.skiff.engine.security.DeploymentKeys}),
 * the grants file of a receiver or origin ({@link io.skiff.engine.security.AccessPolicy}: which identity may
 * push, relay or follow which channel, under which tenant and quota, and where relays may go), and, as
 * issue 18 goes on, TLS contexts. Depends on no transfer package; the send, receive, relay and follow
 * packages will use it.
 */
package io.skiff.engine.security;
