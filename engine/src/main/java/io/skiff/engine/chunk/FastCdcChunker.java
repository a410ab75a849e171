package io.skiff.engine.chunk;

import io.skiff.protocol.ChunkingParams;

import java.util.Objects;

/**
 * FastCDC content-defined chunking with normalized chunking, level 2 (Xia et al., "FastCDC", USENIX ATC
 * 2016, and "The Design of Fast Content-Defined Chunking for Data Deduplication Based Storage Systems",
 * IEEE TPDS 2020).
 *
 * <p>A gear hash rolls over the bytes: {@code fp = (fp << 1) + GEAR[b]}. A chunk ends after the first
 * byte at which {@code fp & mask == 0}. Three rules shape the chunk sizes:
 * <ul>
 *   <li><b>cut-point skipping</b>: the first {@code minBytes} of a chunk are not hashed at all (they can
 *       never end a chunk), which is most of FastCDC's speed;</li>
 *   <li><b>normalization</b>: before {@code avgBytes} the mask has {@code log2(avg) + 2} one bits (a cut
 *       is 4× less likely), after it {@code log2(avg) - 2} (4× more likely), which pulls chunk sizes
 *       towards the average;</li>
 *   <li>a chunk never exceeds {@code maxBytes}.</li>
 * </ul>
 *
 * <pre>
 *   0          minBytes              avgBytes                         maxBytes
 *   |--skipped--|--- strict mask -------|--- loose mask -----------------|  forced cut
 * </pre>
 *
 * <p>The mask bits sit at bits {@code 62 - k + 1 .. 62} of the 64-bit fingerprint. Bit 62 depends on the
 * last 63 bytes only, so the gear hash behaves as a 63-byte sliding window and boundaries resynchronise
 * shortly after an insertion or deletion. Bit 63 is kept out of the masks so that the loop can roll
 * <em>two bytes per iteration</em> (FastCDC 2020): after {@code fp = (fp << 2) + (GEAR[a] << 1)} the
 * test {@code fp & (mask << 1)} is exactly the one-byte test after {@code a}, and adding {@code GEAR[b]}
 * completes the second byte. The cut points are identical to the one-byte loop.
 *
 * <p>The gear table and masks are part of the chunk format: changing them changes every chunk boundary
 * and so every release id. They are pinned by {@code FastCdcChunkerTest}.
 *
 * <p>Instances are immutable and thread-safe; {@link #cut} does not allocate.
 */
public final class FastCdcChunker {
    /** Seed of the SplitMix64 sequence that fills {@link #GEAR} ("skiffCDC" in ASCII). */
    static final long GEAR_SEED = 0x736B_6966_6643_4443L;

    /** 256 pseudo-random 64-bit values, one per byte value. */
    static final long[] GEAR = gearTable(GEAR_SEED);

    /** {@code GEAR[i] << 1}: the first byte of a two-byte step enters the fingerprint shifted once more. */
    private static final long[] GEAR_LS = shiftedLeft(GEAR);

    private final int minBytes;
    private final int avgBytes;
    private final int maxBytes;
    private final long maskStrict;
    private final long maskStrictLs;
    private final long maskLoose;
    private final long maskLooseLs;

    public FastCdcChunker(ChunkingParams params) {
        Objects.requireNonNull(params, "params");
        this.minBytes = params.minBytes();
        this.avgBytes = params.avgBytes();
        this.maxBytes = params.maxBytes();
        int bits = Integer.numberOfTrailingZeros(avgBytes);
        this.maskStrict = mask(bits + 2);
        this.maskLoose = mask(Math.max(1, bits - 2));
        this.maskStrictLs = maskStrict << 1;
        this.maskLooseLs = maskLoose << 1;
    }

    public int minBytes() {
        return minBytes;
    }

    public int avgBytes() {
        return avgBytes;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /**
     * Length of the chunk that starts at {@code buf[off]}.
     *
     * @param len bytes available from {@code off}; pass at least {@code maxBytes} unless the data ends
     *            sooner, otherwise the chunk is cut early at {@code len}
     * @return {@code len} if {@code len <= minBytes}, otherwise a length in {@code [minBytes + 1,
     *         min(len, maxBytes)]}
     */
    public int cut(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len <= minBytes) {
            return len;
        }
        int n = Math.min(len, maxBytes);
        int normalEnd = off + Math.min(avgBytes, n);
        int end = off + n;
        long fp = 0;
        int i = off + minBytes;

        for (; i < normalEnd - 1; i += 2) {
            fp = (fp << 2) + GEAR_LS[buf[i] & 0xff];
            if ((fp & maskStrictLs) == 0) {
                return i + 1 - off;
            }
            fp += GEAR[buf[i + 1] & 0xff];
            if ((fp & maskStrict) == 0) {
                return i + 2 - off;
            }
        }
        if (i < normalEnd) {
            // odd number of bytes in the strict region: one single-byte step keeps the two regions exact
            fp = (fp << 1) + GEAR[buf[i] & 0xff];
            if ((fp & maskStrict) == 0) {
                return i + 1 - off;
            }
            i++;
        }
        for (; i < end - 1; i += 2) {
            fp = (fp << 2) + GEAR_LS[buf[i] & 0xff];
            if ((fp & maskLooseLs) == 0) {
                return i + 1 - off;
            }
            fp += GEAR[buf[i + 1] & 0xff];
            if ((fp & maskLoose) == 0) {
                return i + 2 - off;
            }
        }
        if (i < end) {
            fp = (fp << 1) + GEAR[buf[i] & 0xff];
            if ((fp & maskLoose) == 0) {
                return i + 1 - off;
            }
        }
        return n;
    }

    /** {@code ones} one bits ending at bit 62 (bit 63 stays clear for the two-byte step). */
    static long mask(int ones) {
        return ((1L << ones) - 1) << (63 - ones);
    }

    static long[] gearTable(long seed) {
        long[] table = new long[256];
        long state = seed;
        for (int i = 0; i < table.length; i++) {
            state += 0x9E37_79B9_7F4A_7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
            table[i] = z ^ (z >>> 31);
        }
        return table;
    }

    private static long[] shiftedLeft(long[] table) {
        long[] shifted = new long[table.length];
        for (int i = 0; i < table.length; i++) {
            shifted[i] = table[i] << 1;
        }
        return shifted;
    }
}
