package io.skiff.engine.receive;

import io.netty.channel.ChannelPipeline;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.security.AccessPolicy;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.TenantStores;
import io.skiff.engine.transport.TlsPipelines;
import io.skiff.protocol.AccessException;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.frame.FrameDescriptor;
import io.skiff.protocol.frame.HelloFrame;
import io.skiff.protocol.frame.RelayFrame;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.OptionalLong;

/**
 * What a connection's peer may do on this receiver: its identity (the common name of its TLS
 * certificate; null on plaintext) checked against the receiver's grants, before anything is staged.
 * An OFFER needs {@code push} on its channel (and {@code relay}, when a RELAY came first), and gets the
 * store of the deciding grant's tenant; each RELAY target must pass {@code relay_targets}; a release
 * that would take its tenant over quota is refused before its staging directory exists. A refusal is an
 * {@link AccessException}: the session answers ERROR and closes that connection only.
 */
final class Admission {
    private final String identity;
    /** The protocol the peer said in its HELLO: what may be sent to it. */
    private final int protocol;
    /** The peer's address: its share of the manifest budget is counted by it (loopback for a test's embedded channel). */
    private final InetAddress address;
    private final AccessPolicy policy;
    private final TenantStores stores;
    /** The tenant the admitted push goes to; null: untenanted. */
    private String tenant;

    private Admission(String identity, int protocol, InetAddress address, AccessPolicy policy, TenantStores stores) {
        this.identity = identity;
        this.protocol = protocol;
        this.address = address;
        this.policy = policy;
        this.stores = stores;
    }

    /** At HELLO: UNSUPPORTED_VERSION unless this receiver speaks the peer's protocol version; then who the peer is. */
    static Admission at(HelloFrame hello, ChannelPipeline pipeline, SessionContext context) {
        if (hello.protocolVersion() < FrameDescriptor.OLDEST_PROTOCOL_VERSION || hello.protocolVersion() > FrameDescriptor.PROTOCOL_VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "protocol version=" + hello.protocolVersion()
                    + ", this receiver speaks " + FrameDescriptor.OLDEST_PROTOCOL_VERSION + " to " + FrameDescriptor.PROTOCOL_VERSION);
        }
        InetAddress address = pipeline.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null ? a.getAddress()
                : InetAddress.getLoopbackAddress();
        return new Admission(TlsPipelines.peerIdentity(pipeline), hello.protocolVersion(), address, context.policy(), context.stores());
    }

    /** The peer's address (its IP; loopback for an embedded channel). */
    InetAddress address() {
        return address;
    }

    /** Whether the peer takes AUDIT_HEAD frames (it said protocol 4 or later). */
    boolean takesAuditHead() {
        return protocol >= FrameDescriptor.AUDIT_HEAD_SINCE;
    }

    /** Who the audit trail says asked: the peer's identity and address. */
    Actor actor() {
        return Actor.peer(identity, address.getHostAddress());
    }

    /** The peer's identity; null on a plaintext connection. */
    String identity() {
        return identity;
    }

    /** The tenant of the admitted push, or null. */
    String tenant() {
        return tenant;
    }

    /** OFFER (or JOIN) of {@code channel}: the store it goes to, or NOT_AUTHORIZED. */
    ReleaseStore admitPush(String channel, boolean relaying) {
        AccessPolicy.Grant grant = policy.authorize(identity, channel, AccessPolicy.Action.PUSH);
        if (relaying) {
            policy.authorize(identity, channel, AccessPolicy.Action.RELAY);
        }
        tenant = grant.tenant();
        if (tenant == null && TenantStores.isTenantDir(stores.root().resolve(channel))) {
            throw new StorageException(stores.root().resolve(channel), stores.root().resolve(channel)
                    + " is tenant " + channel + "'s directory, not channel " + channel + "'s", null);
        }
        return stores.forTenant(tenant);
    }

    /**
     * RELAY: every target must be allowed by {@code relay_targets} (names resolved here, once); a
     * plaintext connection's relay may reach loopback targets only.
     */
    void admitRelayTargets(List<RelayFrame.Target> targets) {
        for (RelayFrame.Target t : targets) {
            HostPort target = HostPort.parse(t.address());
            InetAddress address;
            try {
                address = InetAddress.getByName(target.host());
            } catch (UnknownHostException e) {
                address = null;
            }
            if (identity == null && (address == null || !address.isLoopbackAddress())) { // plaintext stays on the host
                throw new AccessException(ErrorCode.NOT_AUTHORIZED, "a plaintext (--insecure) receiver relays to loopback"
                        + " targets only, not " + t.address());
            }
            policy.checkRelayTarget(target.host(), address, target.port());
        }
    }

    /**
     * Before staging {@code manifest} into {@code store}: what the tenant holds, plus what this release
     * still needs (its size less what a resumed staging already holds), must fit the tenant's quota.
     */
    void checkQuota(ReleaseStore store, Manifest manifest) {
        OptionalLong quota = tenant == null ? OptionalLong.empty() : policy.quotaBytes(tenant);
        if (quota.isEmpty()) {
            return;
        }
        long used = stores.usedBytes(tenant);
        long staged = TenantStores.bytesUnder(store.stagingDir(manifest.channel(), manifest.releaseId()));
        long needed = Math.max(0, manifest.totalBytes() - staged);
        if (used + needed > quota.getAsLong()) {
            throw new AccessException(ErrorCode.QUOTA_EXCEEDED, "tenant " + tenant + " holds " + used + " bytes; release "
                    + manifest.version() + " of " + manifest.channel() + " needs " + needed + " more, over its quota of "
                    + quota.getAsLong() + " bytes (remove releases, lower retain, or raise quota_bytes)");
        }
    }
}
