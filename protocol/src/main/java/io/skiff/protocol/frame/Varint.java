package io.skiff.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.ProtocolException;

/** Unsigned LEB128 for non-negative ints: 7 bits per byte, high bit set on all but the last, at most 5 bytes. */
final class Varint {
    private Varint() {
    }

    static int size(int value) {
        return value < 1 << 7 ? 1 : value < 1 << 14 ? 2 : value < 1 << 21 ? 3 : value < 1 << 28 ? 4 : 5;
    }

    static void write(ByteBuf out, int value) {
        int v = value;
        while ((v & ~0x7F) != 0) {
            out.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    /** Reads one value; more than 5 bytes or a value above Integer.MAX_VALUE is malformed. */
    static long read(ByteBuf in) {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value > Integer.MAX_VALUE) {
                    break;
                }
                return value;
            }
        }
        throw new ProtocolException(ErrorCode.MALFORMED, "varint too long");
    }
}
