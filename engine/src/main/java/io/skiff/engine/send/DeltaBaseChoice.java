package io.skiff.engine.send;

import io.netty.channel.EventLoop;
import io.skiff.engine.encode.ReleaseEncodings;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Chooses the delta base for a target's OFFER_REPLY off the event loop: the first time for a base it
 * plans references and compresses the manifest against it, encoder work that must not hold up the
 * other targets sharing the loop. The answer (or the failure) comes back on the event loop.
 */
final class DeltaBaseChoice {
    /** Hears a failure to choose (on the event loop). */
    interface Failure {
        void fail(ErrorCode code, String message);
    }

    private final ReleaseEncodings encodings;
    private final Executor encoders;

    DeltaBaseChoice(ReleaseEncodings encodings, Executor encoders) {
        this.encodings = encodings;
        this.encoders = encoders;
    }

    /** Runs {@code chosen} on {@code loop} with the delta for the first of {@code bases} the sender holds (plain if none). */
    void choose(List<Sha256> bases, EventLoop loop, Consumer<ReleaseEncodings.Delta> chosen, Failure failure) {
        try {
            encoders.execute(() -> {
                ReleaseEncodings.Delta delta;
                try {
                    delta = encodings.forBases(bases);
                } catch (RuntimeException e) {
                    loop.execute(() -> failure.fail(e instanceof SkiffException s ? s.code() : ErrorCode.INTERNAL,
                            "choosing a delta base: " + e.getMessage()));
                    return;
                }
                loop.execute(() -> chosen.accept(delta));
            });
        } catch (RejectedExecutionException e) {
            failure.fail(ErrorCode.INTERNAL, "encoder pool shut down");
        }
    }
}
