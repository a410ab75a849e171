package io.skiff.engine.chunk;

import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastCdcChunkerTest {
    private static final ChunkingParams PARAMS = ChunkingParams.DEFAULT;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, 16 * 1024 - 1, 16 * 1024})
    void shouldReturnWholeInputWhenAtMostMinBytesAreAvailable(int len) {
        FastCdcChunker chunker = new FastCdcChunker(PARAMS);
        assertEquals(len, chunker.cut(new byte[len + 10], 5, len));
    }

    @Test
    void shouldCutAtMaxBytesWhenDataHasNoCutPoint() {
        FastCdcChunker chunker = new FastCdcChunker(PARAMS);
        byte[] zeros = new byte[1024 * 1024];
        // constant input: the fingerprint settles on a value the masks do not hit, so every chunk is forced
        int cut = chunker.cut(zeros, 0, zeros.length);
        assertTrue(cut <= PARAMS.maxBytes());
        assertEquals(PARAMS.maxBytes(), cut);
        assertEquals(PARAMS.maxBytes() - 1, chunker.cut(zeros, 0, PARAMS.maxBytes() - 1));
    }

    @Test
    void shouldStayWithinMinAndMaxWhenCuttingRandomData() {
        FastCdcChunker chunker = new FastCdcChunker(PARAMS);
        byte[] data = random(8 * 1024 * 1024, 1);
        int pos = 0;
        while (pos < data.length) {
            int len = chunker.cut(data, pos, data.length - pos);
            assertTrue(len <= PARAMS.maxBytes(), "len=" + len);
            if (pos + len < data.length) {
                assertTrue(len > PARAMS.minBytes(), "len=" + len);
            }
            pos += len;
        }
        assertEquals(data.length, pos);
    }

    @Test
    void shouldAverageBetweenHalfAndTwiceAvgWhenDataIsRandom() {
        FastCdcChunker chunker = new FastCdcChunker(PARAMS);
        byte[] data = random(32 * 1024 * 1024, 2);
        int pos = 0;
        int chunks = 0;
        while (pos < data.length) {
            pos += chunker.cut(data, pos, data.length - pos);
            chunks++;
        }
        double average = (double) data.length / chunks;
        assertTrue(average >= PARAMS.avgBytes() / 2.0 && average <= PARAMS.avgBytes() * 2.0, "average=" + average);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void shouldCutWhereTheOneByteGearLoopCutsWhenRollingTwoBytes(int paramsIndex) {
        ChunkingParams params = new ChunkingParams[]{
                PARAMS, new ChunkingParams(64, 128, 1024), new ChunkingParams(101, 256, 999),
                new ChunkingParams(4096, 8192, 65536)}[paramsIndex];
        FastCdcChunker chunker = new FastCdcChunker(params);
        byte[] data = random(4 * 1024 * 1024 + 17, 3);
        int pos = 0;
        while (pos < data.length) {
            int expected = referenceCut(params, data, pos, data.length - pos);
            int actual = chunker.cut(data, pos, data.length - pos);
            assertEquals(expected, actual, "at offset " + pos);
            pos += actual;
        }
    }

    @Test
    void shouldKeepPinnedGearTableAndBoundariesWhenCodeChanges() {
        // The gear table and masks are part of the chunk format: a change here changes every release id.
        assertEquals(PINNED_GEAR_0, FastCdcChunker.GEAR[0]);
        assertEquals(PINNED_GEAR_255, FastCdcChunker.GEAR[255]);
        FastCdcChunker chunker = new FastCdcChunker(PARAMS);
        byte[] data = random(16 * 1024 * 1024, 4);
        ByteBuffer lengths = ByteBuffer.allocate(4 * 1024);
        int pos = 0;
        while (pos < data.length) {
            int len = chunker.cut(data, pos, data.length - pos);
            lengths.putInt(len);
            pos += len;
        }
        byte[] used = new byte[lengths.position()];
        lengths.flip().get(used);
        assertEquals(PINNED_BOUNDARIES_SHA256, Sha256.digest(used).hex());
    }

    @Test
    void shouldFillGearTableWithSplitMix64WhenSeeded() {
        // published first output of SplitMix64 seeded with 0
        assertEquals(0xe220a8397b1dcdafL, FastCdcChunker.gearTable(0)[0]);
    }

    @Test
    void shouldRejectRangeWhenOutsideBuffer() {
        FastCdcChunker chunker = new FastCdcChunker(PARAMS);
        assertThrows(IndexOutOfBoundsException.class, () -> chunker.cut(new byte[10], 5, 6));
    }

    private static final long PINNED_GEAR_0 = 0xe1f2a6732b34fc8fL;
    private static final long PINNED_GEAR_255 = 0x8ea3bd46a13b51b4L;
    private static final String PINNED_BOUNDARIES_SHA256 =
            "8260ac028848be9139a0144ec8e6982ebbcc2168dbc8c59c0b6e835a8994f910";

    /** The textbook one-byte FastCDC loop with the same table and masks. */
    static int referenceCut(ChunkingParams p, byte[] b, int off, int len) {
        if (len <= p.minBytes()) {
            return len;
        }
        int n = Math.min(len, p.maxBytes());
        int normal = Math.min(p.avgBytes(), n);
        int bits = Integer.numberOfTrailingZeros(p.avgBytes());
        long strict = FastCdcChunker.mask(bits + 2);
        long loose = FastCdcChunker.mask(bits - 2);
        long fp = 0;
        int i = p.minBytes();
        for (; i < normal; i++) {
            fp = (fp << 1) + FastCdcChunker.GEAR[b[off + i] & 0xff];
            if ((fp & strict) == 0) {
                return i + 1;
            }
        }
        for (; i < n; i++) {
            fp = (fp << 1) + FastCdcChunker.GEAR[b[off + i] & 0xff];
            if ((fp & loose) == 0) {
                return i + 1;
            }
        }
        return n;
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
