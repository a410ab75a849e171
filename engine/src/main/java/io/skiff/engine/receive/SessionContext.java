package io.skiff.engine.receive;

import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.security.AccessPolicy;
import io.skiff.engine.store.ReleaseStore;
import io.skiff.engine.store.SeedTree;
import io.skiff.engine.store.SegmentBuffers;
import io.skiff.engine.store.TenantStores;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.RelayStatusFrame;

import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a {@link ReceiveSession} needs from the receiver it runs in, and nothing that binds a port: the
 * {@link Receiver} provides one for all its sessions, a test builds one over a temporary root.
 *
 * @param config         the receiver's settings (limits, journal sync interval, idle timeout, relaying allowed)
 * @param stores         the receiver's disk: the untenanted store and one per tenant
 * @param policy         the receiver's grants ({@link AccessPolicy#OPEN} without a grants file)
 * @param trust          which releases may be activated by their publishers' signatures, as key rotations change it
 * @param verifiers      threads that decode, hash and write chunks (shared by every session)
 * @param segmentBuffers direct-write buffers of staging files; null: written through the page cache
 * @param seeds          directories indexed for local copies, besides the channel's releases
 * @param relays         starts forwarding a release a RELAY frame asked for
 * @param transfers      the transfers in flight and the ones extra streams can join
 * @param manifests      the heap the manifests of transfers in progress may take, all sessions together
 * @param space          the disk space staging may take, all sessions together
 * @param smoke          runs the smoke test after each activation; null: none configured
 */
record SessionContext(ReceiverConfig config, TenantStores stores, AccessPolicy policy, RotatingTrust trust, ChunkVerifierPool verifiers,
                      SegmentBuffers segmentBuffers, List<SeedTree> seeds, RelayStart relays, TransferRegistry transfers,
                      ManifestBudget manifests, StagingSpace space, SmokeRunner smoke) {

    SessionContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(stores, "stores");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(trust, "trust");
        Objects.requireNonNull(verifiers, "verifiers");
        Objects.requireNonNull(relays, "relays");
        Objects.requireNonNull(transfers, "transfers");
        Objects.requireNonNull(manifests, "manifests");
        Objects.requireNonNull(space, "space");
        seeds = List.copyOf(seeds);
    }

    /** {@link RelayForwarding.Starter} with the receiver bound: what a session calls on a RELAY. */
    @FunctionalInterface
    interface RelayStart {
        /**
         * @param store    the store the release is staged in (its tenant's)
         * @param readyNow chunks already verified on this receiver's disk
         * @param upstream where RELAY_STATUS frames go (the sender's connection)
         * @param rotations the ROTATION frames the sender sent, forwarded as they came
         */
        RelayForwarding start(ReleaseStore store, Manifest manifest, List<RelayFrame.Target> targets, BitSet readyNow, Consumer<RelayStatusFrame> upstream,
                              List<SignedKeyRotation> rotations);
    }
}
