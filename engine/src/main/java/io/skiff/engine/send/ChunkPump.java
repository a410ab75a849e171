package io.skiff.engine.send;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.encode.FileRegionChunk;
import io.skiff.engine.encode.ReleaseEncodings;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ProtocolLimits;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.frame.ChunkFrame;
import io.skiff.protocol.frame.FrameDescriptor;

import java.util.BitSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Which wanted chunk goes out next, and how: in ordinal order (refetched ones first, without a
 * reference), at most {@code maxInFlight} being prepared on the encoders at a time and only while some
 * connection is writable. A chunk that goes raw from its file is written at once from the event loop
 * as a region (with its raw neighbours of the same file as one RAW_RUN from protocol 3 on); any other
 * is prepared on an encoder thread and written when it comes back. On a relay, a {@link ChunkGate}
 * holds back chunks not verified yet. Event loop only, except {@link #prepareOnEncoder}.
 *
 * <p>Buffer ownership: a prepared {@link ChunkFrame} or {@link FileRegionChunk} belongs to the pump
 * until written; then the frame encoder or the transport releases it. One that comes back after the
 * session ended is released here.
 */
final class ChunkPump {
    /**
     * Bytes of one RAW_RUN at most: enough that a run's own cost (a header, a region, a write) is small
     * against its bytes, well inside a frame's limit, and no more than the outbound bound's half (the
     * compressibility probes, every 32nd chunk of an incompressible file, cut runs at ~31 chunks anyway).
     */
    static final int MAX_RUN_BYTES = 2 << 20;

    /** What the pump needs from its session (on the event loop). */
    interface Owner {
        /** The session still sends chunks: streaming the wanted ones, or refetched ones after COMMIT. */
        boolean pumping();

        void fail(ErrorCode code, String message);

        /** Every wanted chunk (and every refetched one so far) is written: time for COMMIT. Called once. */
        void allWritten();
    }

    private final String target;
    private final Manifest manifest;
    private final ReleaseEncodings.Delta delta;
    private final BitSet wanted;
    private final ChunkGate gate;
    private final Executor encoders;
    private final int maxInFlight;
    private final int protocol;
    private final ParallelStreams streams;
    private final TransferCounters counters;
    private final PushListener listener;
    private final EventLoop loop;
    private final Owner owner;
    /** Chunks the target could not decode with their reference: sent again without one, before the rest. */
    private final BitSet refetch = new BitSet();
    /** Wanted chunks below this have been dealt. */
    private int cursor;
    /** Chunks on an encoder thread, not yet written. */
    private int inFlight;
    /** Waiting for the gate to open on the next wanted chunk. */
    private boolean awaitingGate;
    private boolean allWritten;

    /**
     * @param gate     chunks this sender may send yet (on a relay); null: all
     * @param protocol what the target said in HELLO; RAW_RUN only from {@link FrameDescriptor#RAW_RUN_SINCE}
     */
    ChunkPump(String target, Manifest manifest, ReleaseEncodings.Delta delta, BitSet wanted, ChunkGate gate, Executor encoders,
              int maxInFlight, int protocol, ParallelStreams streams, TransferCounters counters, PushListener listener,
              EventLoop loop, Owner owner) {
        this.target = target;
        this.manifest = manifest;
        this.delta = delta;
        this.wanted = wanted;
        this.gate = gate;
        this.encoders = encoders;
        this.maxInFlight = maxInFlight;
        this.protocol = protocol;
        this.streams = streams;
        this.counters = counters;
        this.listener = listener;
        this.loop = loop;
        this.owner = owner;
    }

    /** Whether the target asked for chunk {@code ordinal} in its WANT. */
    boolean wanted(int ordinal) {
        return ordinal < manifest.chunks().count() && wanted.get(ordinal);
    }

    /** REFETCH: chunk {@code ordinal} (a wanted one) goes again, without a reference, before the rest. */
    void sendAgain(int ordinal) {
        refetch.set(ordinal);
    }

    /**
     * Keeps up to maxInFlight chunks being prepared while the socket accepts more; then, once, says all
     * is written. Refetched chunks go first, and may follow COMMIT: the receiver commits once they have arrived.
     */
    void pump() {
        boolean unflushed = false; // chunks written here go out with one flush when the loop stops
        while (owner.pumping() && !streams.connecting() && inFlight < maxInFlight && streams.anyWritable()) {
            int ordinal = refetch.nextSetBit(0);
            boolean allowReference = ordinal < 0;
            if (ordinal >= 0) {
                refetch.clear(ordinal);
            } else if (!allWritten) {
                ordinal = wanted.nextSetBit(cursor);
                if (ordinal >= 0 && gate != null && !gate.ready(ordinal)) {
                    awaitGate(ordinal);
                    break;
                }
            }
            if (ordinal < 0) {
                break;
            }
            if (allowReference) {
                cursor = ordinal + 1;
            }
            FileRegionChunk zeroCopy;
            try {
                zeroCopy = allowReference ? rawRun(ordinal) : null;
                if (zeroCopy != null) {
                    cursor = ordinal + zeroCopy.chunks();
                } else {
                    zeroCopy = delta.prepareZeroCopy(ordinal, allowReference);
                }
            } catch (RuntimeException e) {
                owner.fail(e instanceof SkiffException s ? s.code() : ErrorCode.INTERNAL, e.getMessage());
                return;
            }
            if (zeroCopy != null) { // raw from the file: written here, with no round trip through an encoder thread
                write(zeroCopy);
                unflushed = true;
                continue;
            }
            int next = ordinal;
            inFlight++;
            try {
                encoders.execute(() -> prepareOnEncoder(next, allowReference));
            } catch (RejectedExecutionException e) {
                inFlight--;
                owner.fail(ErrorCode.INTERNAL, "encoder pool shut down");
                return;
            }
        }
        if (unflushed) {
            streams.flushAll();
        }
        if (owner.pumping() && !allWritten && !streams.connecting() && inFlight == 0 && wanted.nextSetBit(cursor) < 0
                && refetch.isEmpty()) {
            allWritten = true;
            owner.allWritten();
        }
    }

    /**
     * The wanted chunks from {@code first} on that go raw from the same file, up to
     * {@value #MAX_RUN_BYTES} bytes, as one RAW_RUN (header, then one {@code sendfile} of their
     * bytes); null for fewer than two, or a target that speaks a protocol without RAW_RUN. Per chunk, a
     * header and a region of its own cost the sender as much as the bytes did.
     */
    private FileRegionChunk rawRun(int first) {
        if (protocol < FrameDescriptor.RAW_RUN_SINCE || !delta.rawFromFile(first)) {
            return null;
        }
        int entry = manifest.chunks().entryIndex(first);
        long bytes = manifest.chunks().length(first);
        int limit = Math.min(ProtocolLimits.MAX_RUN_CHUNKS, manifest.chunks().count() - first);
        int count = 1;
        while (count < limit) {
            int next = first + count;
            long length = manifest.chunks().length(next);
            if (!wanted.get(next) || manifest.chunks().entryIndex(next) != entry || bytes + length > MAX_RUN_BYTES
                    || (gate != null && !gate.ready(next)) || !delta.rawFromFile(next)) {
                break;
            }
            bytes += length;
            count++;
        }
        return count < 2 ? null : delta.prepareRawRun(first, count);
    }

    /** Cut-through: the relay has not verified chunk {@code ordinal} yet; pump again when it has. */
    private void awaitGate(int ordinal) {
        if (awaitingGate) {
            return;
        }
        if (gate.abandoned()) {
            owner.fail(ErrorCode.CONNECTION_LOST, "the relay's own transfer of the release failed");
            return;
        }
        awaitingGate = true;
        gate.whenReady(ordinal, () -> {
            try {
                loop.execute(() -> {
                    awaitingGate = false;
                    pump();
                });
            } catch (RejectedExecutionException shutDown) {
                // the relay is closing: nothing left to pump, and the receiving session that woke us must not fail for it
            }
        });
    }

    /** On an encoder thread: prepares the chunk and hands it to the event loop to write. */
    private void prepareOnEncoder(int ordinal, boolean allowReference) {
        Object frame;
        try {
            frame = delta.prepare(ordinal, allowReference);
        } catch (RuntimeException e) {
            loop.execute(() -> {
                inFlight--;
                owner.fail(e instanceof SkiffException s ? s.code() : ErrorCode.INTERNAL, e.getMessage());
            });
            return;
        } catch (OutOfMemoryError e) { // direct memory: this target fails with a reason instead of stalling
            loop.execute(() -> {
                inFlight--;
                owner.fail(ErrorCode.INTERNAL, "out of memory preparing chunk " + ordinal + " (" + e.getMessage()
                        + "); raise -XX:MaxDirectMemorySize or push to fewer targets at once");
            });
            return;
        }
        try {
            loop.execute(() -> send(frame));
        } catch (RejectedExecutionException shutDown) {
            release(frame); // the push is over and its event loops are gone: nobody will send it
        }
    }

    /** On the event loop: a prepared chunk goes out on the next connection in turn, unless the session ended meanwhile. */
    private void send(Object frame) {
        inFlight--;
        if (!owner.pumping()) {
            release(frame);
            return;
        }
        write(frame).flush();
        pump();
    }

    /** Writes a prepared chunk on the next connection in turn, unflushed; returns that connection. */
    private Channel write(Object frame) {
        Channel out = streams.next();
        int rawBytes = counters.chunkWritten(frame);
        if (frame instanceof FileRegionChunk zeroCopy) {
            out.write(zeroCopy.header(), out.voidPromise());
            out.write(zeroCopy.region(), out.voidPromise());
        } else {
            out.write(frame, out.voidPromise());
        }
        listener.chunkSent(target, rawBytes);
        return out;
    }

    private static void release(Object prepared) {
        if (prepared instanceof FileRegionChunk zeroCopy) {
            zeroCopy.release();
        } else {
            ReferenceCountUtil.release(prepared);
        }
    }
}
