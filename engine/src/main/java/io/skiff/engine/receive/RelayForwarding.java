package io.skiff.engine.receive;

import io.skiff.engine.store.ReleaseStore;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.RelayFrame;
import io.skiff.protocol.frame.RelayStatusFrame;

import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a receive session tells the relay forwarding its release to further receivers (a RELAY frame
 * named them). The receive package owns this seam so that it never depends on the relay package:
 * {@code io.skiff.engine.relay.Relay} implements it and {@link Starter} is handed to the
 * {@link Receiver} when it starts.
 */
public interface RelayForwarding {

    /** Starts forwarding releases for one receiver; {@link #NONE} for a receiver without relay support wired in. */
    @FunctionalInterface
    interface Starter {
        Starter NONE = (receiver, store, manifest, targets, readyNow, upstream, rotations) -> {
            throw new IllegalStateException("no relay is wired into this receiver");
        };

        /**
         * Starts forwarding {@code manifest}'s release to {@code targets}.
         *
         * @param store    the store of {@code receiver} the release is in (its tenant's)
         * @param readyNow chunks already verified on this receiver's disk (copied locally, resumed, or all of an active release)
         * @param upstream where RELAY_STATUS frames go (the sender's connection)
         * @param rotations the key rotations the sender sent (ROTATION frames), to send each target before the offer
         */
        RelayForwarding start(Receiver receiver, ReleaseStore store, Manifest manifest, List<RelayFrame.Target> targets, BitSet readyNow,
                              Consumer<RelayStatusFrame> upstream, List<SignedKeyRotation> rotations);
    }

    /**
     * The session verified chunk {@code frame.ordinal()}, which arrived compressed (before {@link #written}):
     * the targets may get these very bytes, plain zstd ({@code base} null) any of them, zstd+reference
     * those holding {@code base} too. Takes ownership of {@code frame}.
     */
    void receivedCompressed(ChunkFrame frame, Sha256 base);

    /** The session verified chunk {@code ordinal}, which arrived raw: not worth compressing for the targets either. */
    void receivedRaw(int ordinal);

    /** The session verified and wrote chunk {@code ordinal}. */
    void written(int ordinal);

    /** The release is activated here: every chunk is ready. */
    void activated();

    /** This receiver's own transfer ended without the release; a no-op once activated. */
    void abandon();
}
